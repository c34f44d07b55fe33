#!/bin/sh
# tests/fuzz/run.sh — run or replay the libFuzzer targets (see fuzz.mk).
#
#   run.sh fuzz TARGET...      fuzz each for $FUZZ_SECONDS from the committed
#                              corpus; new inputs go to $FUZZ_BUILD/corpus,
#                              crashes to $FUZZ_BUILD/crashes/TARGET/
#   run.sh regress TARGET...   replay tests/fuzz/corpus/TARGET/* once each
#
# fuzz writes a Markdown table (executions, crashes per target) to
# $FUZZ_BUILD/summary.md and reports/fuzz.md. Exit status 1 if any target
# crashed.
set -u
mode=$1
shift
: "${FUZZ_BUILD:?}"
FUZZ_SECONDS=${FUZZ_SECONDS:-60}
here=$(dirname "$0")
fail=0
# The targets' sandbox directories (see sandbox.h) go here, removed at exit.
TMPDIR=$(mktemp -d /tmp/hull-fuzz-run.XXXXXX)
export TMPDIR
trap 'rm -rf "$TMPDIR"' EXIT

case $mode in
regress)
	for t in "$@"; do
		n=$(ls "$here/corpus/$t" | wc -l)
		if ! out=$("$FUZZ_BUILD/$t" -runs=1 "$here/corpus/$t"/* 2>&1); then
			echo "$out" | tail -40
			echo "fuzz-regress: $t: FAILED"
			fail=1
		else
			echo "fuzz-regress: $t: $n inputs ok"
		fi
	done
	exit $fail
	;;
fuzz) ;;
*)
	echo "usage: run.sh fuzz|regress TARGET..." >&2
	exit 2
	;;
esac

summary=$FUZZ_BUILD/summary.md
{
	echo "| target | seconds | executions | exec/s | corpus | crashes |"
	echo "|--------|--------:|-----------:|-------:|-------:|--------:|"
} >"$summary.tmp"
total=0
for t in "$@"; do
	work=$FUZZ_BUILD/corpus/$t
	crashes=$FUZZ_BUILD/crashes/$t
	log=$FUZZ_BUILD/logs/$t.log
	mkdir -p "$work" "$crashes" "$(dirname "$log")"
	echo "fuzz: $t for ${FUZZ_SECONDS}s"
	# -timeout: one input taking 10 s is a hang; rss: a runaway allocation.
	"$FUZZ_BUILD/$t" -max_total_time="$FUZZ_SECONDS" -timeout=10 -rss_limit_mb=2048 \
		-max_len=8192 -print_final_stats=1 -artifact_prefix="$crashes/" \
		"$work" "$here/corpus/$t" >"$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
	ncorp=$(ls "$work" | wc -l)
	ncrash=$(ls "$crashes" | wc -l)
	if [ "$rc" -ne 0 ] || [ "$ncrash" -ne 0 ]; then
		fail=1
		grep -m1 -A30 -E 'ERROR: |runtime error|broken promise' "$log"
		echo "fuzz: $t: CRASH (log $log, inputs in $crashes/)"
		[ "$ncrash" -eq 0 ] && ncrash=1
	fi
	total=$((total + ${execs:-0}))
	echo "| $t | $FUZZ_SECONDS | ${execs:-?} | ${rate:-?} | $ncorp | $ncrash |" >>"$summary.tmp"
	echo "fuzz: $t: ${execs:-?} executions, $ncrash crashes"
done
echo "| total | | $total | | | |" >>"$summary.tmp"
mv "$summary.tmp" "$summary"
mkdir -p reports
{
	echo "# Fuzzing ($(date -u +%Y-%m-%dT%H:%MZ), $(git rev-parse --short HEAD 2>/dev/null || echo unknown))"
	echo
	echo "libFuzzer + ASan + UBSan (clang), from tests/fuzz/corpus; see tests/fuzz/fuzz.mk."
	echo
	cat "$summary"
} >reports/fuzz.md
cat "$summary"
exit $fail
