#!/bin/sh
# bench/run.sh — what `make bench` runs, in order:
#   1. hull-harness latency: runtimes side by side, per-phase, per-namespace,
#      concurrency, the engine path, pool mode (a burst of 64 from a warm
#      pool, sustained rate with refill at 1/4/16 at once, memory per idle
#      slot; hull run --pool against hull run) -> $REPORTS/latency.json
#   2. plots from it (bench/plot.py, matplotlib)      -> $REPORTS/*.svg
#   3. microbenchmarks (hull-micro, Google Benchmark) -> $REPORTS/micro.json
#   4. whole-command cross-check (bench/hyperfine.sh) -> $REPORTS/hyperfine.json
#   5. one report                                     -> $REPORTS/latest.json, latest.md
#   6. network modes, hull against crun + CNI (bench/network.sh, in a
#      network namespace of its own)                  -> $REPORTS/network.json
#   7. hull's create/start/delete phase by phase (bench/lifecycle_phases.py,
#      --trace-fd marks), appended to latest.md      -> $REPORTS/lifecycle_phases.json
#   8. containerd: `ctr run --rm` with hull, runc, crun as --runc-binary
#      (bench/containerd.py, a private containerd; skipped with the reason
#      when containerd is missing), appended to latest.md -> $REPORTS/containerd.json
# Knobs (environment): BUILD, REPORTS, BENCH_N, BENCH_QUICK, BENCH_RUNTIMES,
# BENCH_CPU, COMMIT, PYTHON.
#
# One runtime or one namespace row that fails never throws the rest away:
# the latency report keeps the failure in that row, every later step still
# runs, and a step that fails leaves a note in the report. The exit status
# is non-zero only when hull itself failed (the latency step says so with
# exit status 1) or a step could not run at all; the reports are written
# either way.
set -u

BUILD=${BUILD:-build}
REPORTS=${REPORTS:-reports}
RUNTIMES=${BENCH_RUNTIMES:-all}
PYTHON=${PYTHON:-/usr/bin/python3}
BIN=$BUILD/bin
ROOTFS=$(cd "$BUILD/rootfs" && pwd)
HERE=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$REPORTS"

if [ -n "${BENCH_QUICK:-}" ] && [ "$BENCH_QUICK" != 0 ]; then
  N=${BENCH_N:-10}; WARMUP=2; LEVELS=1,2,4; PER_LEVEL=24; MICRO_N=20; HF_RUNS=10; NET_RUNS=3
  LC_ROUNDS=5; CTR_ROUNDS=3
  POOL="--pool-burst 16 --pool-bursts 1 --pool-levels 1,4 --pool-per-level 24"
else
  N=${BENCH_N:-300}; WARMUP=10; LEVELS=1,2,4,8,16; PER_LEVEL=320; MICRO_N=300; HF_RUNS=200; NET_RUNS=20
  LC_ROUNDS=40; CTR_ROUNDS=20
  POOL="--pool-burst 64 --pool-bursts 3 --pool-levels 1,4,16 --pool-per-level $PER_LEVEL"
fi
set --
[ -n "${BENCH_CPU:-}" ] && set -- --cpu "$BENCH_CPU"

step() { echo "bench: [$1/8] $2" >&2; }
failed=""   # what failed, for the last line
fatal=0     # hull itself failed, or no report could be written
note() { echo "bench: $1" >&2; failed="$failed${failed:+; }$1"; }
t0=$(date +%s)

step 1 "startup latency: $N starts per runtime after $WARMUP warm-up, interleaved"
rm -f "$REPORTS/latency.json" "$REPORTS/micro.json" "$REPORTS/hyperfine.json"
# shellcheck disable=SC2086 # POOL is a list of options
"$BIN/hull-harness" latency -n "$N" -w "$WARMUP" --runtimes "$RUNTIMES" \
  --concurrency "$LEVELS" --per-level "$PER_LEVEL" $POOL --rootfs "$ROOTFS" \
  --commit "${COMMIT:-unknown}" --json "$REPORTS/latency.json" "$@" >/dev/null
rc=$?
if [ "$rc" -ne 0 ]; then
  note "latency: exit status $rc (hull failed; the rows above say where)"
  fatal=1
fi

if [ -f "$REPORTS/latency.json" ]; then
  step 2 "plots"
  rm -f "$REPORTS"/latency.svg "$REPORTS"/phases.svg "$REPORTS"/namespaces.svg "$REPORTS"/concurrency.svg
  "$PYTHON" "$HERE/plot.py" "$REPORTS/latency.json" "$REPORTS" || note "plots failed"
else
  note "no latency report to plot"
fi

step 3 "microbenchmarks: $MICRO_N forks per step (Google Benchmark)"
"$BIN/hull-micro" --rootfs "$ROOTFS" --iterations "$MICRO_N" \
  --benchmark_format=console --benchmark_out_format=json \
  --benchmark_out="$REPORTS/micro.json" >&2 || note "microbenchmarks failed"

step 4 "whole-command cross-check: hyperfine, $HF_RUNS runs each"
"$HERE/hyperfine.sh" "$BIN" "$ROOTFS" "$REPORTS/hyperfine.json" "$HF_RUNS" >&2 ||
  note "hyperfine failed"

step 5 "report"
if [ -f "$REPORTS/latency.json" ]; then
  "$BIN/hull-harness" latency render --micro "$REPORTS/micro.json" \
    --hyperfine "$REPORTS/hyperfine.json" --json "$REPORTS/latest.json" \
    --markdown "$REPORTS/latest.md" "$REPORTS/latency.json" || { note "report failed"; fatal=1; }
else
  fatal=1
fi
step 6 "network modes: $NET_RUNS runs each (hyperfine), hull against crun + CNI"
"$HERE/network.sh" "$BIN" "$ROOTFS" "$REPORTS/network.json" "$NET_RUNS" ||
  note "network bench failed"
step 7 "hull's engine path phase by phase: $LC_ROUNDS create/start/delete rounds, --trace-fd"
rm -f "$REPORTS/lifecycle_phases.json" "$REPORTS/lifecycle_phases.md"
if "$PYTHON" "$HERE/lifecycle_phases.py" "$BIN/hull" "$ROOTFS" --rounds "$LC_ROUNDS" \
  --json "$REPORTS/lifecycle_phases.json" --markdown "$REPORTS/lifecycle_phases.md" >&2; then
  if [ -f "$REPORTS/lifecycle_phases.md" ] && [ -f "$REPORTS/latest.md" ]; then
    { echo; cat "$REPORTS/lifecycle_phases.md"; } >>"$REPORTS/latest.md"
  fi
else
  note "lifecycle phases failed"
fi
step 8 "containerd: ctr run --rm, $CTR_ROUNDS rounds per runtime, interleaved"
rm -f "$REPORTS/containerd.json" "$REPORTS/containerd.md"
if "$PYTHON" "$HERE/containerd.py" "$BIN/hull" "$ROOTFS" --rounds "$CTR_ROUNDS" \
  --json "$REPORTS/containerd.json" --markdown "$REPORTS/containerd.md" >&2; then
  if [ -f "$REPORTS/containerd.md" ] && [ -f "$REPORTS/latest.md" ]; then
    { echo; cat "$REPORTS/containerd.md"; } >>"$REPORTS/latest.md"
  fi
else
  note "containerd row failed"
fi
echo "bench: done in $(( $(date +%s) - t0 )) s: $REPORTS/latest.md, $REPORTS/latest.json, $REPORTS/*.svg" >&2
if [ -n "$failed" ]; then
  echo "bench: with failures: $failed" >&2
fi
exit $fatal
