# lib.sh — the guest checks' runner and helpers (sourced by checks.sh).
#
# Each check is a shell function check_NAME, run in its own process under a
# timeout; it passes by returning 0 and fails with `fail REASON` (the last
# line it printed is the reason). The runner prints one line per check on
# the serial console:
#   VMTEST ok NAME            VMTEST fail NAME REASON
# and the check's own output, prefixed `VMLOG NAME:`, when it failed. After
# every check nothing may be left under the cgroups hull uses.

HULL=/bin/hull
HARNESS=/bin/hull-harness
ROOTFS=/rootfs
CG=/sys/fs/cgroup
TRACING=/sys/kernel/tracing
# The cgroup parents hull and the checks use (hull run, OCI, the checks'
# own cgroupsPath).
CG_PARENTS="hull hull-oci vmtest-oci vmtest-upd"

fail() {
	echo "$*"
	exit 1
}

# expect_eq WHAT GOT WANT
expect_eq() {
	[ "$2" = "$3" ] || fail "$1: got '$2', want '$3'"
}

# expect_contains WHAT TEXT PART
expect_contains() {
	case "$2" in
	*"$3"*) ;;
	*) fail "$1: '$3' not in '$2'" ;;
	esac
}

# The container cgroups left under hull's parents, one path a line.
leftover_cgroups() {
	for p in $CG_PARENTS; do
		[ -d "$CG/$p" ] && find "$CG/$p" -mindepth 1 -maxdepth 1 -type d
	done
	return 0
}

expect_no_cgroup_left() {
	left=$(leftover_cgroups)
	[ -z "$left" ] || fail "$1: cgroups left behind: $(echo $left)"
}

# The value of a phase's t_ns (or another numeric field) in a --trace-fd file.
trace_value() { # FILE PHASE [FIELD]
	sed -n "s/.*\"phase\":\"$2\".*\"${3:-t_ns}\":\([0-9]*\).*/\1/p" "$1" | head -n 1
}

# The 0::PATH line of a /proc/PID/cgroup text: PATH.
v2_path() {
	sed -n 's/^0:://p' "$1" | head -n 1
}

# Remove what a failed or timed-out check left: kill it through the cgroup
# (the guest is ours alone) and remove the directories.
clean_cgroups() {
	for d in $(leftover_cgroups); do
		echo 1 > "$d/cgroup.kill" 2>/dev/null
		for i in $(seq 50); do rmdir "$d" 2>/dev/null && break; usleep 100000; done
	done
}

# run_check NAME [TIMEOUT_SECONDS]
run_check() {
	name=$1
	limit=${2:-60}
	log=/tmp/vmtest/log.$name
	mkdir -p /tmp/vmtest/"$name"
	t0=$(cut -d' ' -f1 /proc/uptime)
	timeout -s KILL "$limit" sh /vm/checks.sh one "$name" > "$log" 2>&1
	rc=$?
	t1=$(cut -d' ' -f1 /proc/uptime)
	secs=$(awk "BEGIN { printf \"%.1f\", $t1 - $t0 }")
	if [ $rc -eq 0 ]; then
		left=$(leftover_cgroups)
		if [ -n "$left" ]; then
			echo "cgroups left behind: $(echo $left)" >> "$log"
			rc=1
		fi
	fi
	if [ $rc -eq 0 ]; then
		grep '^NOTE ' "$log" | sed "s/^NOTE /VMTEST note $name /"
		echo "VMTEST ok $name (${secs}s)"
		PASSED=$((PASSED + 1))
	else
		reason=$(tail -n 1 "$log")
		[ $rc -eq 137 ] && reason="timed out after ${limit}s"
		tail -n 30 "$log" | sed "s/^/VMLOG $name: /"
		echo "VMTEST fail $name $reason"
		FAILED=$((FAILED + 1))
		clean_cgroups
	fi
}
