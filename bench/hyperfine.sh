#!/bin/sh
# bench/hyperfine.sh — whole-command timings with hyperfine, a cross-check
# of the harness's own clock: the same container starts, timed from outside
# as complete commands (fork, exec, run, exit, reap), without a shell.
#
#   bench/hyperfine.sh BIN_DIR ROOTFS OUT.json RUNS
#
# Runtimes that are not installed are left out with a note on stderr.
set -eu
bin=$1 rootfs=$2 out=$3 runs=$4
probe=/bin/hull-probe

if ! command -v hyperfine >/dev/null 2>&1; then
  echo "hyperfine: not installed (make deps installs it); skipping" >&2
  rm -f "$out"
  exit 0
fi

set -- \
  -n bare "$rootfs$probe --stamp" \
  -n floor "$bin/hull-floor $rootfs $probe --stamp" \
  -n hull "$bin/hull run $rootfs $probe --stamp" \
  -n hull-chroot "$bin/hull run --chroot $rootfs $probe --stamp"
if command -v unshare >/dev/null 2>&1; then
  set -- "$@" -n unshare \
    "unshare --fork --kill-child --mount --uts --pid --ipc --net --mount-proc --root $rootfs $probe --stamp"
else
  echo "hyperfine: unshare not installed; skipping it" >&2
fi
if command -v bwrap >/dev/null 2>&1; then
  set -- "$@" -n bwrap \
    "bwrap --bind $rootfs / --proc /proc --dev /dev --unshare-uts --unshare-pid --unshare-ipc --unshare-net $probe --stamp"
else
  echo "hyperfine: bwrap not installed; skipping it" >&2
fi

hyperfine -N --style basic --warmup 5 --runs "$runs" --export-json "$out" "$@"
