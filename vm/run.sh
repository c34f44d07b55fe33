#!/bin/sh
# vm/run.sh DIR — boot the guest (DIR/vmlinuz, DIR/initramfs.cpio) under
# QEMU's software emulation and judge what it printed on its serial
# console (DIR/console.log): every VMTEST line is shown, a `VMTEST fail`
# or a guest that did not come up or did not finish fails the run.
#   VM_TIMEOUT  seconds before qemu is killed (default 900)
#   VM_ONLY     space-separated check names to run instead of all
set -eu
dir=$1
log=$dir/console.log
timeout=${VM_TIMEOUT:-900}
append="console=ttyS0 cgroup_no_v1=all panic=-1 quiet loglevel=3"
[ -n "${VM_ONLY:-}" ] && append="$append vmtest.only=$(echo $VM_ONLY | tr ' ' ,)"

# The guest only ever sees this machine's kvm as kvm_pvm, where stock
# kernels fail: TCG, a plain CPU model, no network, no reboot.
start=$(date +%s.%N)
rc=0
timeout -k 5 "$timeout" qemu-system-x86_64 -accel tcg -cpu qemu64 -m 1024 -smp 2 \
	-nographic -no-reboot -net none \
	-kernel "$dir/vmlinuz" -initrd "$dir/initramfs.cpio" -append "$append" \
	< /dev/null > "$log" 2>&1 || rc=$?
end=$(date +%s.%N)
total=$(awk "BEGIN { printf \"%.1f\", $end - $start }")

# The console's lines without carriage returns and terminal escapes.
results=$dir/results.txt
tr -d '\r' < "$log" | sed 's/\x1b\[[0-9;?]*[A-Za-z]//g; s/\x1bc//g' | grep '^VMTEST\|^VMLOG' > "$results" || true
cat "$results"
if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
	why="qemu killed after ${timeout}s"
elif [ $rc -ne 0 ]; then
	why="qemu exited $rc"
else
	why=""
fi
if ! grep -q '^VMTEST up' "$results"; then
	echo "vm-test: FAIL: the guest did not come up${why:+ ($why)}; the console said:" >&2
	tail -n 20 "$log" >&2
	exit 1
fi
if ! grep -q '^VMTEST done' "$results"; then
	echo "vm-test: FAIL: the guest stopped before the checks finished${why:+ ($why)}; last lines:" >&2
	tail -n 20 "$log" >&2
	exit 1
fi
fails=$(grep -c '^VMTEST fail' "$results" || true)
oks=$(grep -c '^VMTEST ok' "$results" || true)
up=$(sed -n 's/^VMTEST up //p' "$results")
done_at=$(sed -n 's/^VMTEST done //p' "$results")
echo "vm-test: kernel $(sed -n 's/^VMTEST kernel //p' "$results"): init ran ${up}s after" \
	"the kernel started, checks done at ${done_at}s, ${total}s in all; $oks passed, $fails failed"
[ "$fails" -eq 0 ] && [ "$oks" -gt 0 ]
