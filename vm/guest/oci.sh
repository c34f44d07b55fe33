# oci.sh — the OCI interface on cgroup v2 (sourced by checks.sh):
# linux.resources mapped to v2 files, cgroupsPath, pause/resume through
# cgroup.freeze, exec joining the container's cgroup, and every other
# resource field either mapped to its v2 file or refused with a message —
# never accepted and silently dropped.

OCI_CHECKS="oci_resources oci_lifecycle oci_clone_into_cgroup oci_update oci_other_resources
oci_device_rules"
OCIROOT=/run/hull-vmtest

oci() { $HULL --root $OCIROOT "$@"; }

# make_bundle DIR RESOURCES_JSON [CGROUPS_PATH]: `hull spec`'s config.json
# with linux.resources (and cgroupsPath) added and `sleep 1000` as process.
make_bundle() {
	mkdir -p "$1"
	$HULL spec --bundle "$1" --rootfs $ROOTFS > /dev/null || fail "hull spec failed"
	ins="\"resources\": $(echo "$2" | tr '\n\t' '  '),"
	[ -n "${3:-}" ] && ins="$ins \"cgroupsPath\": \"$3\","
	sed -i "s|^  \"linux\": {|  \"linux\": { $ins|; s|^      \"sh\"\$|      \"sleep\", \"1000\"|" "$1/config.json"
	grep -q '"resources"' "$1/config.json" || fail "could not add resources to $1/config.json"
}

oci_pid() { oci state "$1" | sed -n 's/.*"pid": *\([0-9]*\).*/\1/p' | head -n 1; }
oci_status() { oci state "$1" | sed -n 's/.*"status": *"\([a-z]*\)".*/\1/p' | head -n 1; }

# create ID BUNDLE: hull create with its output in files (the container's
# stdio must not hold a pipe of ours open).
oci_create() {
	oci create --bundle "$2" "$1" < /dev/null > "$2.out" 2> "$2.err"
}

check_oci_resources() {
	d=/tmp/vmtest/oci_resources
	make_bundle $d/b '{"memory": {"limit": 67108864, "swap": 100663296},
		"cpu": {"quota": 25000, "period": 50000, "cpus": "1"}, "pids": {"limit": 50}}'
	oci_create r1 $d/b || fail "create: $(cat $d/b.err)"
	c=$CG/hull-oci/r1
	[ -d $c ] || fail "no cgroup $c"
	expect_eq memory.max "$(cat $c/memory.max)" 67108864
	[ -e $c/memory.swap.max ] && expect_eq memory.swap.max "$(cat $c/memory.swap.max)" 33554432
	# The period as given (as runc); `hull run --cpus` uses 100 ms.
	expect_eq cpu.max "$(cat $c/cpu.max)" "25000 50000"
	expect_eq pids.max "$(cat $c/pids.max)" 50
	expect_eq cpuset.cpus "$(cat $c/cpuset.cpus)" 1
	expect_eq "cgroup.procs" "$(cat $c/cgroup.procs)" "$(oci_pid r1)"
	oci delete --force r1 || fail "delete --force failed"
	[ ! -e $c ] || fail "$c still there after delete"
	# cgroupsPath puts it where the engine says.
	make_bundle $d/b2 '{"pids": {"limit": 9}}' /vmtest-oci/r2
	oci_create r2 $d/b2 || fail "create with cgroupsPath: $(cat $d/b2.err)"
	expect_eq "pids.max under cgroupsPath" "$(cat $CG/vmtest-oci/r2/pids.max 2>&1)" 9
	oci delete --force r2 || fail "delete --force r2 failed"
	[ ! -e $CG/vmtest-oci/r2 ] || fail "cgroupsPath cgroup still there after delete"
	rmdir $CG/vmtest-oci
}

# create, start, pause (cgroup.freeze), resume, exec (joins the cgroup),
# kill, delete (removes the cgroup).
check_oci_lifecycle() {
	d=/tmp/vmtest/oci_lifecycle
	make_bundle $d/b '{"pids": {"limit": 20}}'
	oci_create l1 $d/b || fail "create: $(cat $d/b.err)"
	c=$CG/hull-oci/l1
	oci start l1 || fail "start failed"
	expect_eq "status after start" "$(oci_status l1)" running
	oci pause l1 || fail "pause failed"
	expect_eq "cgroup.freeze when paused" "$(cat $c/cgroup.freeze)" 1
	expect_eq "status when paused" "$(oci_status l1)" paused
	oci resume l1 || fail "resume failed"
	expect_eq "cgroup.freeze after resume" "$(cat $c/cgroup.freeze)" 0
	expect_eq "status after resume" "$(oci_status l1)" running
	out=$(oci exec l1 cat /proc/self/cgroup < /dev/null)
	expect_eq "exec'd process's cgroup" "$out" "0::/hull-oci/l1"
	oci kill l1 KILL || fail "kill failed"
	oci delete --force l1 || fail "delete failed"
	[ ! -e $c ] || fail "$c still there after delete"
}

# The engine path on v2: hull create clones the container's process into
# the cgroup at cgroupsPath (CLONE_INTO_CGROUP), it is never migrated there
# (no cgroup_attach_task into it; a control migration shows the tracepoint
# works). On v1 it moves itself in (cgroup_self_join.h): no v2 equivalent.
check_oci_clone_into_cgroup() {
	d=/tmp/vmtest/oci_cic
	ev=$TRACING/events/cgroup
	make_bundle $d/b '{"pids": {"limit": 20}}' /vmtest-oci/cic
	echo 0 > $TRACING/tracing_on
	echo > $TRACING/trace
	echo 1 > $ev/cgroup_attach_task/enable
	echo 1 > $TRACING/tracing_on
	mkdir $CG/vmtest-control
	sh -c "echo \$\$ > $CG/vmtest-control/cgroup.procs"
	oci_create cic $d/b
	rc=$?
	echo 0 > $TRACING/tracing_on
	echo 0 > $ev/cgroup_attach_task/enable
	rmdir $CG/vmtest-control
	cat $TRACING/trace > $d/trace
	expect_eq "create's exit status ($(cat $d/b.err))" $rc 0
	expect_eq "cgroup.procs at cgroupsPath" "$(cat $CG/vmtest-oci/cic/cgroup.procs)" "$(oci_pid cic)"
	grep -q "cgroup_attach_task:.*dst_path=/vmtest-control " $d/trace ||
		fail "the control migration is not in the trace: $(cat $d/trace)"
	if grep "cgroup_attach_task:.*dst_path=/vmtest-oci/cic " $d/trace; then
		fail "create migrated its process into /vmtest-oci/cic: CLONE_INTO_CGROUP not used"
	fi
	oci delete --force cic || fail "delete --force cic failed"
	[ ! -e $CG/vmtest-oci/cic ] || fail "cgroupsPath cgroup still there after delete"
	rmdir $CG/vmtest-oci
}

# update --resources on a running container rewrites the v2 files; what it
# leaves out stays as it was.
check_oci_update() {
	d=/tmp/vmtest/oci_update
	# A parent of its own: no other check enabled cpu there.
	make_bundle $d/b '{"memory": {"limit": 67108864}, "pids": {"limit": 40}}' /vmtest-upd/u1
	oci_create u1 $d/b || fail "create: $(cat $d/b.err)"
	c=$CG/vmtest-upd/u1
	oci start u1 || fail "start failed"
	echo '{"memory": {"limit": 100663296}, "pids": {"limit": 60}}' |
		oci update --resources - u1 || fail "update failed"
	expect_eq "memory.max after update" "$(cat $c/memory.max)" 100663296
	expect_eq "pids.max after update" "$(cat $c/pids.max)" 60
	# A limit whose controller the create did not need (kubectl's in-place
	# resize adding a CPU limit): update enables cpu down to the parent first.
	expect_eq "cpu not enabled by create" "$(grep -c cpu $CG/vmtest-upd/cgroup.subtree_control)" 0
	echo '{"cpu": {"quota": 30000, "period": 100000, "shares": 1024}}' |
		oci update --resources - u1 || fail "update adding a cpu limit failed"
	expect_eq "cpu.max after update" "$(cat $c/cpu.max)" "30000 100000"
	expect_eq "cpu.weight after update" "$(cat $c/cpu.weight)" 39
	echo '{"pids": {"limit": 70}}' | oci update --resources - u1 || fail "second update failed"
	expect_eq "pids.max after the second update" "$(cat $c/pids.max)" 70
	expect_eq "memory.max it left out" "$(cat $c/memory.max)" 100663296
	oci delete --force u1 || fail "delete failed"
	[ ! -e $c ] || fail "$c still there after delete"
}

# other_resource NAME JSON FILE WANT [WORD]: a config with only this field
# either is refused (one line naming linux.resources..., or WORD) or maps
# to FILE = WANT.
other_resource() {
	b=/tmp/vmtest/oci_other_resources/$1
	make_bundle $b "$2"
	if oci_create o1 $b; then
		got=$(cat $CG/hull-oci/o1/$3 2>&1)
		oci delete --force o1 > /dev/null 2>&1
		expect_eq "$1 accepted: $3" "$got" "$4"
		echo "NOTE maps $1 to $3"
	else
		err=$(cat $b.err)
		expect_contains "$1 refused with" "$err" "${5:-linux.resources}"
		echo "NOTE refuses $1: $err"
	fi
}

# other_resource_maps NAME JSON FILE WANT: as other_resource, but a refusal
# fails the check (hull writes this one on v2).
other_resource_maps() {
	b=/tmp/vmtest/oci_other_resources/$1
	make_bundle $b "$2"
	oci_create o1 $b || fail "$1 refused: $(cat $b.err)"
	got=$(cat $CG/hull-oci/o1/$3 2>&1)
	oci delete --force o1 > /dev/null 2>&1
	expect_eq "$1: $3" "$got" "$4"
}

check_oci_other_resources() {
	# Expected values as runc/crun convert them for v2.
	other_resource cpu.shares '{"cpu": {"shares": 1024}}' cpu.weight 39
	other_resource cpu.mems '{"cpu": {"mems": "0"}}' cpuset.mems 0
	other_resource memory.reservation '{"memory": {"reservation": 33554432}}' memory.low 33554432
	other_resource_maps blockIO.weight '{"blockIO": {"weight": 500}}' io.weight "default 4950"
	other_resource_maps hugepageLimits '{"hugepageLimits": [{"pageSize": "2MB", "limit": 4194304}]}' \
		hugetlb.2MB.max 4194304
	other_resource unified '{"unified": {"memory.high": "50331648"}}' memory.high 50331648
	other_resource memory.kernelTCP '{"memory": {"kernelTCP": 50593792}}' memory.kmem.tcp.limit_in_bytes \
		- "kernel TCP memory"
	other_resource cpu.realtimeRuntime '{"cpu": {"realtimeRuntime": 1000}}' cpu.rt_runtime_us 1000 \
		realtime
}

# linux.resources.devices on v2: no devices controller, hull attaches a
# BPF_PROG_TYPE_CGROUP_DEVICE program it assembles itself, with runc's
# defaults after the config's rules (mknod, null, zero, full, random,
# urandom, tty, ptmx, pts stay usable). Deny all: /dev/console (c 5:1, not
# a default) cannot be opened, null can; without rules both can (so the
# refusal is the program's, not a missing capability).
DEVCHECK='mknod /dev/c c 5 1 2>/dev/null; (true > /dev/c) 2>/dev/null && echo console-open || echo console-denied
mknod /dev/n2 c 1 3 2>/dev/null; echo x 2>/dev/null > /dev/n2 && echo null-ok || echo null-denied'
check_oci_device_rules() {
	d=/tmp/vmtest/oci_device_rules
	echo "$DEVCHECK" > $ROOTFS/devcheck.sh
	make_bundle $d/b '{"devices": [{"allow": false, "access": "rwm"}]}'
	sed -i 's|"sleep", "1000"|"sh", "/devcheck.sh"|' $d/b/config.json
	out=$(oci run --bundle $d/b dv1 < /dev/null 2> $d/err)
	rc=$?
	make_bundle $d/free '{}'
	sed -i 's|"sleep", "1000"|"sh", "/devcheck.sh"|' $d/free/config.json
	free=$(oci run --bundle $d/free dv2 < /dev/null 2> $d/free.err)
	rm -f $ROOTFS/devcheck.sh
	expect_eq "run with device rules ($(tail -c 160 $d/err))" "$rc" 0
	expect_eq "with deny-all" "$(echo $out)" "console-denied null-ok"
	expect_eq "without device rules" "$(echo $free)" "console-open null-ok"
}
