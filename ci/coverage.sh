#!/bin/sh
# make coverage: build everything with --coverage in its own build directory,
# run the unit and end-to-end tests there, write lcov's HTML report to
# $REPORTS/coverage/, print one summary line per directory (lines and
# functions of core/ and harness/) and fail when core/'s line coverage is
# below $COVERAGE_MIN percent.
#
#   ci/coverage.sh               build, test, report, check
#   ci/coverage.sh --report-only report and check the data already there
set -eu
cd "$(dirname "$0")/.."

B=${COVERAGE_BUILD:-build/coverage}
# Tests run hull as other users (setpriv), and every process writes its
# counters to paths under $B/obj: in a checkout below a 0700 directory (/root
# on a fresh machine) those users cannot, gcov says so on stderr, and tests
# that compare stderr fail. Such a checkout gets its coverage build in a
# directory any user can reach, one per checkout.
if [ -z "${COVERAGE_BUILD:-}" ] && command -v setpriv >/dev/null &&
   ! setpriv --reuid=65534 --regid=65534 --clear-groups test -x "$(pwd)" 2>/dev/null; then
  B=/var/tmp/hull-coverage-$(pwd | sha256sum | cut -c1-12)
  mkdir -p "$B"
  chmod 0755 "$B"
  echo "coverage: $(pwd) is not reachable by other users; coverage build in $B" >&2
fi
MIN=${COVERAGE_MIN:-80}
REPORTS=${REPORTS:-reports}
MAKE=${MAKE:-make}
PYTHON=${PYTHON:-/usr/bin/python3}
OUT=$REPORTS/coverage
# -O0: every line maps to code; --coverage on compile and link (the static
# hull included: gcov's runtime is linked in and writes its .gcda at exit).
# ci/coverage_exec.c dumps the counters before every execve too, so the
# container child's setup, which ends in execve, is counted. hull links
# glibc here (HULL_LIBC=glibc): the instrumented build is the glibc one
# (core/musl/musl.mk), make test runs the musl one.
mkdir -p "$B/obj/ci"
Babs=$(cd "$B" && pwd)
cc -O2 -Wall -Wextra -Werror -DCOVERAGE_OBJ_DIR="\"$Babs/obj\"" -c -o "$B/obj/ci/coverage_exec.o" \
  ci/coverage_exec.c
FLAGS="EXTRA_CFLAGS=-O0 --coverage"
LDF="LDFLAGS=--coverage -Wl,--wrap=execve $Babs/obj/ci/coverage_exec.o"
ROOTFS=$Babs/rootfs

if [ "${1:-}" != "--report-only" ]; then
  $MAKE --no-print-directory BUILD="$B" HULL_LIBC=glibc "$FLAGS" "$LDF" all rootfs
  find "$B" -name '*.gcda' -delete
  rm -rf "$ROOTFS/.gcov" "${ROOTFS:?}$Babs"
  # Tests run hull as other users too (setpriv): let every process write
  # its counters.
  chmod -R a+rwX "$B/obj"
  umask 000
  # Both test suites run even when one fails; the coverage of what ran is
  # still reported, and the failure decides the exit status at the end.
  status=0
  $MAKE --no-print-directory BUILD="$B" HULL_LIBC=glibc "$FLAGS" "$LDF" unit || status=1
  # The injected-delay gate test judges latency: under --coverage every
  # start is slower and noisier and the verdict means nothing (it runs in
  # make test, and the sanitizer run leaves it out for the same reason).
  HULL_BUILD="$B" $PYTHON -m pytest -q -p no:cacheprovider tests/e2e -k 'not injected_delay' || status=1
  umask 022
else
  status=0
fi

mkdir -p "$OUT"
info=$OUT/coverage.info
lcov --quiet --capture --directory "$B/obj" --base-directory . --output-file "$info.all" \
  --rc lcov_branch_coverage=0 >/dev/null 2>"$OUT/lcov.log" || { cat "$OUT/lcov.log" >&2; exit 1; }
# The containers' counters: the probe's and hull's child's, written inside
# the container to the same path under its root (when the probe made it) or
# under /.gcov (coverage_exec.c); each tree beside copies of the notes.
for child in "$ROOTFS$Babs/obj" "$ROOTFS/.gcov$Babs/obj"; do
  [ -d "$child" ] || continue
  (cd "$Babs/obj" && find . -name '*.gcno') | while read -r f; do
    if [ -e "$child/${f%.gcno}.gcda" ]; then cp "$Babs/obj/$f" "$child/$f"; fi
  done
  lcov --quiet --capture --directory "$child" --base-directory . --output-file "$info.child" \
    --rc lcov_branch_coverage=0 >/dev/null 2>>"$OUT/lcov.log" \
    && lcov --quiet -a "$info.all" -a "$info.child" -o "$info.all" >/dev/null
  rm -f "$info.child"
done
lcov --quiet --extract "$info.all" "$(pwd)/core/*" "$(pwd)/harness/*" --output-file "$info" >/dev/null
rm -f "$info.all"
genhtml --quiet --output-directory "$OUT" --title "hull coverage" "$info" >/dev/null 2>>"$OUT/lcov.log"

# lines found/hit and functions found/hit per directory, from the tracefile.
summary=$(awk -v root="$(pwd)/" '
  /^SF:/ { f = substr($0, 4); sub(root, "", f); split(f, p, "/"); d = p[1] "/" }
  /^LF:/ { lf[d] += substr($0, 4) } /^LH:/ { lh[d] += substr($0, 4) }
  /^FNF:/ { ff[d] += substr($0, 5) } /^FNH:/ { fh[d] += substr($0, 5) }
  END {
    for (d in lf) printf "%s %d %d %d %d\n", d, lh[d], lf[d], fh[d], ff[d]
  }' "$info" | sort)

line=""
core_pct=0
while read -r d lh lf fh ff; do
  [ -n "$d" ] || continue
  lp=$(awk -v h="$lh" -v f="$lf" 'BEGIN { printf "%.1f", f ? 100 * h / f : 0 }')
  fp=$(awk -v h="$fh" -v f="$ff" 'BEGIN { printf "%.1f", f ? 100 * h / f : 0 }')
  line="$line${line:+; }$d lines $lp% ($lh/$lf), functions $fp% ($fh/$ff)"
  [ "$d" = "core/" ] && core_pct=$lp
done <<EOT
$summary
EOT
echo "coverage: $line; HTML in $OUT/index.html"

if awk -v p="$core_pct" -v m="$MIN" 'BEGIN { exit !(p < m) }'; then
  echo "coverage: core/ lines $core_pct% is below the threshold of $MIN%" >&2
  exit 1
fi
echo "coverage: core/ lines $core_pct% >= $MIN% (threshold)"
exit $status
