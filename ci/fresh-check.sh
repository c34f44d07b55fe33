#!/usr/bin/env bash
# ci/fresh-check.sh (make fresh-check): hull as a newcomer meets it. A fresh
# Debian 12 (bookworm) tree, debootstrap'ed minbase plus build-essential and
# git, a clone of this repository under its /root (mode 0700, as on a real
# machine), and there the README's commands: `make test`, then `make bench`.
#
# The tree is entered by pivot_root, not chroot: the kernel refuses a new
# user namespace to a chrooted process, and hull's user-namespace tests are
# the very ones a fresh machine broke. pivot_root wants '/' to be a mount
# point, so the tree is bound onto itself first. Everything runs in a private
# mount namespace (unshare -m --propagation private): proc, sysfs, the cgroup
# hierarchies, /dev, tmpfs /tmp and /run and resolv.conf are mounted there
# only and vanish with it; the host's mount table is compared before and
# after. The host's network is shared (apt inside needs it; only Debian's
# mirror is reachable), as are its pid namespace and cgroups, as on a machine.
#
# Knobs (environment):
#   FRESH_DIR=/var/tmp/hull-fresh   the cache and the per-run trees
#   FRESH_REBUILD=1                 debootstrap the cached tree again
#   FRESH_REF=HEAD                  the commit to clone (of this checkout)
#   FRESH_TARGETS="test bench"      the make targets to run inside, in order
#   FRESH_TIMEOUT=5400              seconds per target
#   FRESH_KEEP=1                    keep the run tree (default: removed)
#   FRESH_OUT=reports/fresh-check   logs and the bench reports, copied out
#   FRESH_MIRROR                    default: the host's Debian mirror
# Exit status: 0 when every target passed; 1 when one failed or the host's
# mount table gained a mount below FRESH_DIR; 2 for a setup error.
set -euo pipefail

SUITE=bookworm
INNER_ROOT=/.fresh-old-root

die() {
  echo "fresh-check: $*" >&2
  exit 2
}
say() { echo "fresh-check: $*"; }

# ---- inside the private mount namespace (called by unshare below) --------
# $1 = the run tree. Mounts what a booted machine has, pivots into the tree,
# and runs each make target from /root/hull; results go to /root/fresh/.
inside() {
  local tree=$1
  readlink /proc/self/ns/mnt >"$tree/root/fresh/mntns"
  mount --bind "$tree" "$tree"
  mount -t proc proc "$tree/proc"
  mount -t sysfs sysfs "$tree/sys"
  mount --rbind /sys/fs/cgroup "$tree/sys/fs/cgroup"
  mount --rbind /dev "$tree/dev"
  # Debian 12 keeps /tmp on the root filesystem: suid and devices work
  # there (tests make setuid files under pytest's tmp_path), so no nosuid.
  mount -t tmpfs -o mode=1777 tmpfs "$tree/tmp"
  mount -t tmpfs -o mode=0755,nosuid,nodev tmpfs "$tree/run"
  [ -e "$tree/etc/resolv.conf" ] || : >"$tree/etc/resolv.conf"
  mount --bind /etc/resolv.conf "$tree/etc/resolv.conf"
  mount -o remount,bind,ro "$tree/etc/resolv.conf"
  cd "$tree"
  mkdir -p ".$INNER_ROOT"
  pivot_root . ".$INNER_ROOT"
  cd /
  umount -l "$INNER_ROOT"
  rmdir "$INNER_ROOT"
  # A login-like environment: nothing of the caller's leaks in.
  exec env -i HOME=/root USER=root LOGNAME=root SHELL=/bin/bash LANG=C.UTF-8 TERM=dumb \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    FRESH_TARGETS="$FRESH_TARGETS" FRESH_TIMEOUT="$FRESH_TIMEOUT" \
    /bin/bash -c '
      cd /root/hull
      for t in $FRESH_TARGETS; do
        echo "fresh-check: == make $t (inside, $(date -u +%T) UTC)"
        start=$(date +%s)
        timeout -k 30 "$FRESH_TIMEOUT" make "$t" 2>&1 | tee "/root/fresh/$t.log"
        echo "$t ${PIPESTATUS[0]} $(($(date +%s) - start))" >>/root/fresh/status
      done'
}

if [ "${1:-}" = "--inside" ]; then
  inside "$2"
  exit 1 # not reached: inside execs
fi

# ---- on the host ---------------------------------------------------------
REPO=$(cd "$(dirname "$0")/.." && pwd)
FRESH_DIR=${FRESH_DIR:-/var/tmp/hull-fresh}
FRESH_REF=${FRESH_REF:-HEAD}
FRESH_TARGETS=${FRESH_TARGETS:-test bench}
FRESH_TIMEOUT=${FRESH_TIMEOUT:-5400}
FRESH_OUT=${FRESH_OUT:-$REPO/reports/fresh-check}
CACHE=$FRESH_DIR/$SUITE
export FRESH_TARGETS FRESH_TIMEOUT

[ "$(id -u)" -eq 0 ] || die "needs root (debootstrap, mount namespaces, pivot_root)"
for tool in unshare pivot_root mount git timeout; do
  command -v "$tool" >/dev/null || die "'$tool' is missing (util-linux, git, coreutils)"
done

# The mirror this host's apt uses for Debian, so debootstrap and apt inside
# reach the same one.
host_uri() { # $1 = path suffix: debian or debian-security
  { cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null || true; } |
    grep -v '^[[:space:]]*#' | grep -oE "https?://[^ ]+/$1/?( |\$)" | head -n1 | tr -d ' ' | sed 's:/*$::' || true
}
FRESH_MIRROR=${FRESH_MIRROR:-$(host_uri debian)}
FRESH_MIRROR=${FRESH_MIRROR:-http://deb.debian.org/debian}
SECURITY_MIRROR=$(host_uri debian-security)
SECURITY_MIRROR=${SECURITY_MIRROR:-http://deb.debian.org/debian-security}

install_debootstrap() {
  command -v debootstrap >/dev/null && return
  say "installing debootstrap on the host"
  DEBIAN_FRONTEND=noninteractive timeout 900 apt-get -o DPkg::Lock::Timeout=600 update -qq
  DEBIAN_FRONTEND=noninteractive timeout 900 apt-get -o DPkg::Lock::Timeout=600 \
    install -y -qq --no-install-recommends debootstrap >/dev/null
}

# The cached tree: debootstrap'ed once, never used directly (each run works
# on a copy), so every run starts from the same fresh machine.
build_cache() {
  if [ -f "$CACHE/.fresh-complete" ] && [ -z "${FRESH_REBUILD:-}" ]; then
    say "cached $SUITE tree: $CACHE (built $(cat "$CACHE/.fresh-complete"); FRESH_REBUILD=1 rebuilds it)"
    return
  fi
  install_debootstrap
  local new=$CACHE.new
  rm -rf "$new"
  mkdir -p "$FRESH_DIR"
  say "debootstrap $SUITE (minbase + build-essential, git) from $FRESH_MIRROR into $new"
  timeout 3600 debootstrap --variant=minbase --include=build-essential,git,ca-certificates \
    "$SUITE" "$new" "$FRESH_MIRROR" >"$FRESH_DIR/debootstrap.log" 2>&1 ||
    die "debootstrap failed (see $FRESH_DIR/debootstrap.log)"
  # Sources as a Debian 12 install has them: the release, its updates and
  # security, from the host's mirror.
  rm -f "$new/etc/apt/sources.list"
  cat >"$new/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $FRESH_MIRROR
Suites: $SUITE $SUITE-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: $SECURITY_MIRROR
Suites: $SUITE-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  rm -rf "$new"/var/cache/apt/archives/*.deb "$new"/var/lib/apt/lists/*_Packages
  date -u +%FT%TZ >"$new/.fresh-complete"
  rm -rf "$CACHE"
  mv "$new" "$CACHE"
  say "cached $SUITE tree ready: $CACHE"
}

# The host's mount table as "mount point, source, fs type" lines.
host_mounts() { awk '{ for (i = 7; $i != "-"; i++); print $5, $(i + 2), $(i + 1) }' /proc/self/mountinfo | sort; }

# Processes still in our private mount namespace: ours by construction.
kill_leftovers() {
  local ns pid n=0
  ns=$(cat "$RUN/root/fresh/mntns" 2>/dev/null) || return 0
  for pid in /proc/[0-9]*; do
    pid=${pid#/proc/}
    [ "$(readlink "/proc/$pid/ns/mnt" 2>/dev/null)" = "$ns" ] || continue
    kill -KILL "$pid" 2>/dev/null && n=$((n + 1))
  done
  [ "$n" -eq 0 ] || say "killed $n process(es) left in the fresh tree's mount namespace"
}

cleanup() {
  [ -n "${RUN:-}" ] && [ -d "$RUN" ] || return 0
  kill_leftovers
  if grep -qF " $RUN" /proc/self/mountinfo; then
    say "not removing $RUN: something is mounted below it on the host"
  elif [ -n "${FRESH_KEEP:-}" ]; then
    say "kept the run tree: $RUN"
  else
    rm -rf "$RUN"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM # and so through cleanup

build_cache

commit=$(git -C "$REPO" rev-parse --verify "$FRESH_REF^{commit}") || die "no commit '$FRESH_REF' in $REPO"
RUN=$(mktemp -d "$FRESH_DIR/run.XXXXXX")
chmod 0755 "$RUN" # a machine's / is 0755; /root inside stays 0700
say "run tree $RUN (a copy of the cache)"
cp -a --reflink=auto "$CACHE/." "$RUN/"
mkdir -p "$RUN/root/fresh"
git clone -q --no-local "$REPO" "$RUN/root/hull"
git -C "$RUN/root/hull" -c advice.detachedHead=false checkout -q --detach "$commit"
say "clone of $(git -C "$REPO" log -1 --format='%h %s' "$commit") in /root/hull;" \
  "/root is mode $(stat -c %a "$RUN/root")"

mounts_before=$(host_mounts)
t0=$(date +%s)
rc_inside=0
unshare -m --propagation private -- bash "$0" --inside "$RUN" || rc_inside=$?
elapsed=$(($(date +%s) - t0))
kill_leftovers
mounts_after=$(host_mounts)

# ---- results -------------------------------------------------------------
rm -rf "${FRESH_OUT:?}"/{reports,status,*.log}
mkdir -p "$FRESH_OUT"
cp "$RUN"/root/fresh/*.log "$RUN/root/fresh/status" "$FRESH_OUT/" 2>/dev/null || true
if [ -d "$RUN/root/hull/reports" ]; then cp -a "$RUN/root/hull/reports" "$FRESH_OUT/reports"; fi

fail=0
echo
say "summary ($SUITE, clone of ${commit:0:12} under /root, ${elapsed} s)"
for t in $FRESH_TARGETS; do
  read -r rc secs < <(awk -v t="$t" '$1 == t { print $2, $3 }' "$RUN/root/fresh/status" 2>/dev/null) || true
  if [ "${rc:-}" = 0 ]; then verdict=passed; else verdict="FAILED (exit ${rc:-none})"; fail=1; fi
  printf '  make %-6s %s%s\n' "$t" "$verdict" "${secs:+ in $secs s}"
  log=$FRESH_OUT/$t.log
  [ -f "$log" ] || continue
  if [ "$t" = test ]; then
    unit_fail=$(grep -cE '^\[  FAILED  \] [0-9]+ test' "$log" || true)
    unit_pass=$(grep -oE '^\[  PASSED  \] [0-9]+ test' "$log" | awk '{ s += $4 } END { print s + 0 }')
    printf '    unit: %s tests passed, %s program(s) with failures\n' "$unit_pass" "$unit_fail"
    e2e=$(grep -E '^(=+ )?[0-9]+ (passed|failed|error)|[0-9]+ (passed|failed).* in [0-9.]+s' "$log" | tail -n1)
    printf '    e2e:  %s\n' "${e2e:-no pytest summary (see the log)}"
    grep -E '^(FAILED|ERROR) ' "$log" | sed 's/^/      /' || true
  fi
  if [ "$t" = bench ]; then
    for f in latest.md latest.json; do
      [ -f "$FRESH_OUT/reports/$f" ] && printf '    report: %s\n' "$FRESH_OUT/reports/$f"
    done
    [ -f "$FRESH_OUT/reports/latest.md" ] || printf '    no report written\n'
  fi
done
[ "$rc_inside" -eq 0 ] || { say "the run inside exited $rc_inside"; fail=1; }

leaked=$(comm -13 <(echo "$mounts_before") <(echo "$mounts_after") | grep -F "$FRESH_DIR" || true)
other=$(diff <(echo "$mounts_before") <(echo "$mounts_after") | grep -E '^[<>]' | grep -vF "$FRESH_DIR" || true)
if [ -n "$leaked" ]; then
  say "LEAK: mounts below $FRESH_DIR appeared on the host:"
  echo "$leaked" | sed 's/^/    /'
  fail=1
else
  say "host mount table: nothing below $FRESH_DIR (the fresh tree's mounts vanished with its namespace)"
fi
[ -z "$other" ] || {
  say "the host mount table changed elsewhere meanwhile (not the fresh tree; other users of this machine?):"
  echo "$other" | sed 's/^/    /'
}
say "logs: $FRESH_OUT"
[ "$fail" -eq 0 ] && say "passed" || say "FAILED"
exit "$fail"
