#!/bin/bash
# The OCI runtime-tools validation suite against hull (and, for comparison,
# crun and runc when they are installed). Not part of CI: `make runtime-tools`.
#
#   ci/runtime-tools.sh [TEST...]        # default: every validation test
#
# Environment:
#   HULL=path          hull to test (default build/bin/hull)
#   RUNTIMES="..."     runtimes to run (default "hull crun runc"; missing ones are left out);
#                      the table ends with the files crun or runc pass but hull fails
#   RT_BUILD=dir       where everything is built and run (default build/runtime-tools)
#   RT_TIMEOUT=secs    per test file (default 60)
#
# What it does: installs Debian's Go and runtime-tools Go packages if missing;
# takes the suite's source (validation/*, cmd/runtimetest) from Debian's
# source package of runtime-tools, fetched with apt's own tools through a
# private apt configuration under RT_BUILD (the host's apt setup is not
# touched); builds it in GOPATH mode (GO111MODULE=off) against
# /usr/share/gocode, with ci/runtime-tools/tap standing in for
# github.com/mndrix/tap-go (not packaged); runs each test file with
# RUNTIME=<a wrapper giving the runtime a state root of its own under
# RT_BUILD>, under `timeout`, in its own private mount namespace (tests that
# ask for shared root propagation would otherwise leak mounts onto the
# host); force-deletes whatever containers a test left; prints a table.
# TAP output of each run: RT_BUILD/out/RUNTIME/TEST.tap.
set -u -o pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
RT=${RT_BUILD:-$top/build/runtime-tools}
case $RT in /*) ;; *) RT=$top/$RT ;; esac
HULL=${HULL:-$top/build/bin/hull}
case $HULL in /*) ;; *) HULL=$top/$HULL ;; esac
RUNTIMES=${RUNTIMES:-hull crun runc}
RT_TIMEOUT=${RT_TIMEOUT:-60}
SRCPKG=golang-github-opencontainers-runtime-tools

die() { echo "runtime-tools: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "needs root (containers, namespaces, apt-get)"
[ -x "$HULL" ] || die "no hull at $HULL (make all, or HULL=...)"

# --- packages -------------------------------------------------------------
pkgs="golang-go golang-github-opencontainers-runtime-tools-dev
      golang-github-opencontainers-specs-dev golang-github-google-uuid-dev
      golang-golang-x-sys-dev xz-utils tar util-linux coreutils"
missing=
for p in $pkgs; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
if [ -n "$missing" ]; then
    echo "runtime-tools: installing$missing"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q $missing >/dev/null ||
        { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $missing >/dev/null; } ||
        die "apt-get install$missing failed"
fi
export PATH=/usr/lib/go/bin:$PATH
command -v go >/dev/null || die "no go after installing golang-go"

# --- the suite's source: Debian's source package ---------------------------
mkdir -p "$RT"
src=$(ls -d "$RT"/src/$SRCPKG-*/ 2>/dev/null | head -n1)
if [ -z "$src" ] || [ ! -d "$src/validation" ]; then
    # The Debian mirror the host uses (first http(s) URI naming /debian).
    mirror=$(grep -rhoE 'https?://[^ ]+/debian/?( |$)' /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null |
             grep -v security | head -n1 | tr -d ' ')
    mirror=${mirror%/}
    mirror=${mirror:-http://deb.debian.org/debian}
    . /etc/os-release
    apt="$RT/apt"
    rm -rf "$apt" "$RT/src"
    mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$RT/src"
    # This release first, then newer ones: a mirror may lack one version's
    # tarball (bookworm's 0.9.0+git20220423 is missing on ours; trixie's
    # 0.9.0.109.ge931285 builds with bookworm's Go packages as well).
    for s in ${VERSION_CODENAME:-bookworm} trixie sid; do echo "deb-src $mirror $s main"; done |
        awk '!seen[$0]++' >"$apt/sources.list"
    APTO=(-o "Dir::Etc::SourceList=$apt/sources.list" -o Dir::Etc::SourceParts=/nonexistent
          -o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt/cache" -o Debug::NoLocking=1)
    apt-get "${APTO[@]}" -q update >"$apt/update.log" 2>&1 || die "apt-get update for deb-src failed: $apt/update.log"
    # One line per version: VERSION DIRECTORY SHA256 FILE (the orig tarball).
    apt-cache "${APTO[@]}" showsrc "$SRCPKG" | awk '
        /^Package: / { pkg=$2 }
        /^Version: / { ver=$2 }
        /^Directory: / { dir=$2 }
        /^Checksums-Sha256:/ { sha=1; next }
        /^[^ ]/ { sha=0 }
        sha && $3 ~ /\.orig\.tar\./ { file=$3; sum=$1 }
        /^$/ { if (pkg && file) print ver, dir, sum, file; pkg=file="" }
        END { if (pkg && file) print ver, dir, sum, file }' | awk '!seen[$0]++' >"$apt/versions"
    ok=
    while read -r ver dir sum file; do
        echo "runtime-tools: fetching $SRCPKG $ver source from $mirror"
        if /usr/lib/apt/apt-helper download-file "$mirror/$dir/$file" "$RT/src/$file" "SHA256:$sum" >"$apt/fetch.log" 2>&1; then
            tar -C "$RT/src" -xf "$RT/src/$file" && ok=$ver && break
        fi
        echo "runtime-tools:   not available ($(grep -m1 -oE '[0-9]{3} [A-Za-z ]+' "$apt/fetch.log"))"
    done <"$apt/versions"
    [ -n "$ok" ] || die "could not fetch the source of $SRCPKG from $mirror"
    src=$(ls -d "$RT"/src/$SRCPKG-*/ | head -n1)
fi
src=${src%/}

# --- build ----------------------------------------------------------------
gp=$RT/gopath
stamp=$RT/bin/.built
if [ ! -e "$stamp" ] || [ "$top/ci/runtime-tools/tap/tap.go" -nt "$stamp" ] || [ "$src" -nt "$stamp" ]; then
    echo "runtime-tools: building the validation executables ($(go version | awk '{print $3}'))"
    rm -rf "$gp" "$RT/bin" "$RT/run"
    mkdir -p "$gp/src/github.com/opencontainers" "$gp/src/github.com/mndrix" "$RT/bin" "$RT/run"
    cp -r "$src" "$gp/src/github.com/opencontainers/runtime-tools"
    cp -r "$top/ci/runtime-tools/tap" "$gp/src/github.com/mndrix/tap-go"
    (
        cd "$gp/src/github.com/opencontainers/runtime-tools" || exit 1
        export GO111MODULE=off GOPATH="$gp:/usr/share/gocode" GOCACHE="$RT/gocache" GOFLAGS= GOPROXY=off
        go build -o "$RT/bin/" ./validation/... &&
        CGO_ENABLED=0 go build -tags "netgo osusergo" -o "$RT/run/runtimetest" ./cmd/runtimetest &&
        cp "rootfs-$(go env GOARCH).tar.gz" "$RT/run/"
    ) >"$RT/build.log" 2>&1 || { tail -20 "$RT/build.log" >&2; die "build failed: $RT/build.log"; }
    touch "$stamp"
fi

# --- run ------------------------------------------------------------------
if [ $# -gt 0 ]; then tests="$*"; else
    tests=$(cd "$RT/bin" && ls | sort)
fi
rts=
for r in $RUNTIMES; do
    case $r in
        hull) path=$HULL ;;
        *) path=$(command -v "$r") || { echo "runtime-tools: $r not installed, left out"; continue; } ;;
    esac
    rts="$rts $r"
    mkdir -p "$RT/wrap" "$RT/state/$r" "$RT/out/$r"
    # Each runtime gets a state root of its own, so leftovers can be found
    # and deleted without touching anyone else's containers.
    printf '#!/bin/sh\nexec %s --root %s "$@"\n' "$path" "$RT/state/$r" >"$RT/wrap/$r"
    chmod +x "$RT/wrap/$r"
done
[ -n "$rts" ] || die "no runtime to run"

cleanup_state() {   # runtime
    local r=$1 id
    for id in $(ls "$RT/state/$1" 2>/dev/null); do
        [ -d "$RT/state/$r/$id" ] || continue
        "$RT/wrap/$r" kill "$id" KILL >/dev/null 2>&1
        "$RT/wrap/$r" delete --force "$id" >/dev/null 2>&1 ||
            { sleep 0.2; "$RT/wrap/$r" delete --force "$id" >/dev/null 2>&1; }
    done
}

# The suite's cgroup paths (cgroups/cgroups.go): /cgrouptest and
# testdir/cgrouptest/container; removed after the run if they were not there
# before and are empty (rmdir refuses a cgroup with processes or children).
suite_cgroups() {
    ls -d /sys/fs/cgroup/*/cgrouptest /sys/fs/cgroup/*/testdir \
          /sys/fs/cgroup/*/*/cgrouptest /sys/fs/cgroup/*/*/testdir 2>/dev/null
}
cgroups_before=$(suite_cgroups)

mounts_before=$(cut -d' ' -f5 /proc/self/mountinfo | sort)
export TMPDIR=$RT/tmp
mkdir -p "$TMPDIR"
declare -A res
for t in $tests; do
    [ -x "$RT/bin/$t" ] || { echo "runtime-tools: no test $t" >&2; continue; }
    for r in $rts; do
        out=$RT/out/$r/$t.tap
        ( cd "$RT/run" && RUNTIME="$RT/wrap/$r" timeout -k 5 "$RT_TIMEOUT" \
              unshare -m --propagation private "$RT/bin/$t" ) </dev/null >"$out" 2>&1
        rc=$?
        cleanup_state "$r"
        pass=$(grep -cE '^ok [0-9]+' "$out")
        total=$(grep -cE '^(not )?ok [0-9]+' "$out")
        bad=$(grep -E '^not ok [0-9]+' "$out" | grep -vc '# TODO')
        plan=$(grep -m1 -oE '^1\.\.[0-9]+' "$out" | cut -d. -f3)
        if [ $rc = 124 ] || [ $rc = 137 ]; then verdict=TIMEOUT
        # A file passes with exit 0, no failure and every planned test run.
        # The hook tests plan no test and report an error only as a YAML
        # block ("---"): one of them passes with exit 0 and no such block.
        # The *_fail tests (process_capabilities_fail, process_rlimits_fail)
        # print no TAP at all: the runtime must refuse the config, and the
        # test exits 1 (util.Fatal) when it did not, 0 when it did. A
        # skipped suite ("1..0 # SKIP") never passes.
        elif [ $rc = 0 ] && [ "$bad" = 0 ] && [ "$total" -gt 0 ] && [ "$plan" = "$total" ]; then verdict=pass
        elif [ $rc = 0 ] && [ "$total" = 0 ] && [ "${plan:-0}" = 0 ] &&
             ! grep -qE '^ *---|# SKIP' "$out"; then verdict=pass
        else verdict=FAIL
        fi
        res[$r,$t]="$verdict $pass/$total"
        res[$r,files]=$(( ${res[$r,files]:-0} + 1 ))
        [ $verdict = pass ] && res[$r,ok]=$(( ${res[$r,ok]:-0} + 1 ))
        res[$r,sp]=$(( ${res[$r,sp]:-0} + pass ))
        res[$r,st]=$(( ${res[$r,st]:-0} + total ))
    done
done
rm -rf "$TMPDIR"

for r in $rts; do
    case $r in hull) "$HULL" --root "$RT/state/$r" gc >/dev/null 2>&1 ;; esac
done

for d in $(suite_cgroups); do
    grep -qxF "$d" <<<"$cgroups_before" && continue
    find "$d" -depth -type d -exec rmdir {} \; 2>/dev/null
    [ -d "$d" ] && echo "runtime-tools: WARNING: cgroup $d left (not empty)" >&2
done

# --- table ----------------------------------------------------------------
printf '\n%-36s' test
for r in $rts; do printf ' %-16s' "$r"; done
printf '\n'
for t in $tests; do
    [ -x "$RT/bin/$t" ] || continue
    printf '%-36s' "$t"
    for r in $rts; do printf ' %-16s' "${res[$r,$t]}"; done
    printf '\n'
done
printf '%-36s' "files passed"
for r in $rts; do printf ' %-16s' "${res[$r,ok]:-0}/${res[$r,files]:-0}"; done
printf '\n%-36s' "subtests passed"
for r in $rts; do printf ' %-16s' "${res[$r,sp]:-0}/${res[$r,st]:-0}"; done
printf '\n(TAP output: %s/out/RUNTIME/TEST.tap)\n' "$RT"

# The files another runtime passes on this host but hull fails: what hull
# must fix first (a file every runtime fails may be the host's doing).
if [[ " $rts " == *" hull "* ]] && [ "$(echo $rts | wc -w)" -gt 1 ]; then
    behind=
    for t in $tests; do
        [ -x "$RT/bin/$t" ] || continue
        [[ ${res[hull,$t]} == pass* ]] && continue
        by=
        for r in $rts; do
            [ "$r" != hull ] && [[ ${res[$r,$t]} == pass* ]] && by="$by $r"
        done
        [ -n "$by" ] && behind="$behind$(printf '\n  %-34s passed by%s; hull: %s' "$t" "$by" "${res[hull,$t]}")"
    done
    if [ -n "$behind" ]; then
        printf '\nfiles another runtime passes but hull fails:%s\n' "$behind"
    else
        printf '\nno file that another runtime passes fails for hull\n'
    fi
fi

mounts_after=$(cut -d' ' -f5 /proc/self/mountinfo | sort)
if [ "$mounts_before" != "$mounts_after" ]; then
    # '>' lines are mounts that appeared (a leak, if ours); '<' lines vanished
    # (someone else's work on this machine).
    echo "runtime-tools: WARNING: the host's mounts changed during the run:" >&2
    diff <(echo "$mounts_before") <(echo "$mounts_after") | grep '^[<>]' >&2
fi
left=$(ls "$RT"/state/*/ 2>/dev/null | grep -v '^/' | grep -v '^$' || true)
[ -z "$left" ] || echo "runtime-tools: WARNING: containers left in $RT/state: $left" >&2
exit 0
