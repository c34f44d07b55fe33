#!/usr/bin/env bash
# ci/e2e-0700.sh (make e2e-0700, a CI step): the user-namespace and isolation
# end-to-end tests from a checkout whose parent directory is mode 0700, as
# /root is on a fresh Debian machine. A container's root in a user namespace
# is an unprivileged host uid, which may not walk through such a directory;
# a runtime that reaches the rootfs by path there fails ("cannot bind rootfs
# ...: Permission denied") although every test passes in a checkout under
# /work or /home. CI's own checkout may live anywhere, so this step makes the
# 0700 parent itself: a clone of the commit under a fresh `mktemp -d`, built
# there, tested there with HULL_BUILD pointing at it, removed afterwards.
#
# Knobs (environment):
#   E2E_0700_REF=HEAD    the commit to clone (committed state, not the work tree)
#   E2E_0700_TESTS=...   pytest arguments (default: the files below)
#   E2E_0700_KEEP=1      keep the clone (default: removed)
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
PYTHON=${PYTHON:-/usr/bin/python3}
MAKE=${MAKE:-make}
REF=${E2E_0700_REF:-HEAD}
# Every e2e file that starts a container with a user namespace (rootless,
# --uidmap/--gidmap, --ns user/all, the isolation matrix and isolate runs,
# the probe in a container, make bench's ns=user row). Found with
#   grep -lE "user|rootless|uidmap|matrix" tests/e2e/test_*.py
# minus the files whose matches are only process.user or option parsing.
DEFAULT_TESTS="tests/e2e/test_namespaces.py tests/e2e/test_security.py
  tests/e2e/test_isolate.py tests/e2e/test_matrix.py tests/e2e/test_probe.py
  tests/e2e/test_bad_input.py tests/e2e/test_bench.py"
TESTS=${E2E_0700_TESTS:-$DEFAULT_TESTS}

commit=$(git -C "$REPO" rev-parse --verify "$REF^{commit}")
parent=$(mktemp -d "${TMPDIR:-/tmp}/hull-0700.XXXXXX")
cleanup() {
  if grep -qF " $parent" /proc/self/mountinfo; then
    echo "e2e-0700: not removing $parent: something is still mounted below it" >&2
  elif [ -n "${E2E_0700_KEEP:-}" ]; then
    echo "e2e-0700: kept $parent"
  else
    rm -rf "$parent"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM # and so through cleanup
chmod 0700 "$parent"
mode=$(stat -c %a "$parent")
[ "$mode" = 700 ] || {
  echo "e2e-0700: $parent is mode $mode, not 700" >&2
  exit 2
}

checkout=$parent/hull
git clone -q --no-local "$REPO" "$checkout"
git -C "$checkout" -c advice.detachedHead=false checkout -q --detach "$commit"
echo "e2e-0700: $(git -C "$checkout" log -1 --format='%h %s') in $checkout (parent mode $mode)"
"$MAKE" -s -C "$checkout" -j"$(nproc)" all rootfs

cd "$checkout"
# shellcheck disable=SC2086 # TESTS is a list of pytest arguments
HULL_BUILD=$checkout/build timeout -k 30 1800 "$PYTHON" -m pytest -q -p no:cacheprovider $TESTS
