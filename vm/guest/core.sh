# core.sh — a core e2e subset on the guest's kernel (sourced by checks.sh):
# exit statuses, namespaces, user and time namespaces, and the isolation
# verdicts (hull-harness isolate, the matrix) with the cgroup property.

CORE_CHECKS="core_exit_status core_namespaces isolate_cgroup_verdicts matrix"
# With VM_E2E=1 the image has python3 and the e2e files.
[ -x /bin/python3 ] && CORE_CHECKS="$CORE_CHECKS e2e_subset"

check_core_exit_status() {
	$HULL run $ROOTFS true; expect_eq "true" $? 0
	$HULL run $ROOTFS sh -c 'exit 3'; expect_eq "exit 3" $? 3
	# Without a pid namespace the shell is no init and dies of the signal.
	$HULL run --ns mnt,uts,ipc,net $ROOTFS sh -c 'kill -KILL $$'; expect_eq "killed by 9" $? 137
	$HULL run $ROOTFS no-such 2>/dev/null; expect_eq "not found" $? 127
	$HULL run $ROOTFS /etc/passwd 2>/dev/null; expect_eq "not executable" $? 126
	$HULL run --timeout 1 $ROOTFS sleep 100; expect_eq "--timeout" $? 124
}

check_core_namespaces() {
	expect_eq "hostname" "$($HULL run --hostname box $ROOTFS hostname)" box
	expect_eq "pid 1" "$($HULL run $ROOTFS sh -c 'echo $$')" 1
	expect_eq "processes seen" "$($HULL run $ROOTFS sh -c 'echo /proc/[0-9]*')" /proc/1
	out=$($HULL run --ns all --uidmap 0:100000:65536 --gidmap 0:100000:65536 $ROOTFS cat /proc/self/uid_map)
	expect_eq "uid_map" "$(echo $out)" "0 100000 65536"
	expect_eq "interfaces" "$($HULL run $ROOTFS sh -c 'tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d " "')" lo
	own=$(readlink /proc/self/ns/time)
	in=$($HULL run --ns mnt,uts,pid,ipc,net,time $ROOTFS readlink /proc/self/ns/time)
	[ -n "$in" ] && [ "$in" != "$own" ] || fail "time namespace: '$in' vs host '$own'"
}

# isolate: the cgroup property is isolated with a cgroup namespace and
# shared without, each as the rules expect (exit 0).
check_isolate_cgroup_verdicts() {
	d=/tmp/vmtest/isolate_cgroup_verdicts
	$HARNESS isolate --rootfs $ROOTFS --ns mnt,uts,pid,ipc,net,cgroup --json > $d/with.json ||
		fail "isolate with cgroup ns: exit $?: $(cat $d/with.json)"
	$HARNESS isolate --rootfs $ROOTFS --ns mnt,uts,pid,ipc,net --json > $d/without.json ||
		fail "isolate without cgroup ns: exit $?: $(cat $d/without.json)"
	with=$(tr -d ' \n' < $d/with.json | sed -n 's/.*"cgroup":{"verdict":"\([a-z]*\)".*/\1/p')
	without=$(tr -d ' \n' < $d/without.json | sed -n 's/.*"cgroup":{"verdict":"\([a-z]*\)".*/\1/p')
	expect_eq "cgroup verdict with a cgroup ns" "$with" isolated
	expect_eq "cgroup verdict without" "$without" shared
}

# The whole hull matrix (every namespace combination, pivot_root and
# chroot): every cell as the rules expect, the cgroup property included.
# One kind of mismatch is this kernel's, not hull's: where a cell has no
# /proc, the probe names its namespaces through pidfd ioctls, which came
# in 6.11; on 6.1 those verdicts are `error`. They are counted and shown;
# any other mismatch fails.
KNOWN_61='no pidfd ns ioctl, no /proc'
check_matrix() {
	d=/tmp/vmtest/matrix
	$HARNESS matrix -r hull --rootfs $ROOTFS -q --markdown > $d/matrix.md 2> $d/err
	rc=$?
	grep '^mismatch: ' $d/matrix.md > $d/mismatches
	grep -v "$KNOWN_61" $d/mismatches > $d/unexpected
	known=$(grep -c "$KNOWN_61" $d/mismatches)
	cells=$(grep "$KNOWN_61" $d/mismatches | cut -d: -f2 | sort -u | wc -l)
	echo "NOTE $(grep -m 1 ' cells, ' $d/matrix.md)"
	echo "NOTE $known verdicts in $cells cells unreadable on $(uname -r) ($KNOWN_61), e.g. $(head -n 1 $d/mismatches)"
	if [ -s $d/unexpected ]; then
		head -n 20 $d/unexpected
		fail "$(wc -l < $d/unexpected) unexpected verdicts, $(grep -c ': cgroup ' $d/unexpected) of them cgroup"
	fi
	[ $rc -eq 0 ] || { [ $rc -eq 1 ] && [ "$known" -gt 0 ]; } || { tail -n 20 $d/err; fail "matrix exit $rc"; }
}

# The e2e suite's core files, run by Debian's pytest on this kernel. Tests
# that need what the guest lacks (crun, runc, util-linux's setpriv) skip.
E2E_FILES="test_exit.py test_namespaces.py test_run.py test_trace.py test_lifecycle.py
test_bad_input.py test_security.py test_oci.py test_oci_exec.py test_probe.py test_signal_defaults.py
test_oci_hooks.py test_foreign_cgroups.py"
# Three tests assume the host, not hull's behaviour (vm/README.md): the
# probe's pidfd namespace ioctls came in 6.11; `test -e /proc/kcore` is
# true on a kernel with kcore even where it is masked (/dev/null on it);
# a v1 host has a cgroup per controller, v2 one.
E2E_DESELECT="test_probe.py::test_probe_without_proc_still_names_its_namespaces
test_oci.py::test_config_fields_reach_the_container
test_foreign_cgroups.py::test_gc_still_collects_a_killed_hulls_cgroup"
check_e2e_subset() {
	[ -x /bin/python3 ] || fail "no python3 in the image (VM_E2E=0)"
	d=/tmp/vmtest/e2e_subset
	files=""
	for f in $E2E_FILES; do [ -e /repo/tests/e2e/$f ] && files="$files /repo/tests/e2e/$f"; done
	cd /repo/tests/e2e
	deselect=""
	for t in $E2E_DESELECT; do
		deselect="$deselect --deselect $t"
		echo "NOTE deselected on $(uname -r): $t"
	done
	HULL_BUILD=/build python3 -m pytest -q -p no:cacheprovider -rfEs $deselect $files > $d/out 2>&1
	rc=$?
	echo "NOTE $(tail -n 1 $d/out)"
	grep '^SKIPPED' $d/out | head -n 20 | sed 's/^/NOTE /'
	[ $rc -eq 0 ] || { grep -E "^(FAILED|ERROR)" $d/out | head -n 40; [ $rc -eq 1 ] || tail -n 25 $d/out; fail "pytest exit $rc: $(tail -n 1 $d/out)"; }
}
