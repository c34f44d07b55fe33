#!/bin/sh
# ci/run-bases.sh CMD [ARG...] — run CMD, then remove the state directories
# hull made on demand during it (/run/hull and its pool, net and cgroup
# intent directories), when they did not exist before and are empty again.
#
# hull keeps them, as runc keeps /run/runc: a runtime cannot know whether
# another hull is about to use them. A measurement on a shared host (make
# gate, baseline, bench) should still leave the host as it found it; the
# e2e session does the same in tests/e2e/conftest.py. A directory with
# something left inside stays, so a real leak stays visible. Exit status:
# CMD's.
# HULL_RUN_BASES replaces the list (tests/e2e/test_run_bases.py).
BASES=${HULL_RUN_BASES:-"/run/hull/net/cni /run/hull/net /run/hull/pool /run/hull/cgroups /run/hull"}
absent=""
for d in $BASES; do
  [ -e "$d" ] || absent="$absent $d"
done
"$@"
status=$?
for d in $absent; do   # innermost first, as listed
  rmdir "$d" 2>/dev/null
done
exit $status
