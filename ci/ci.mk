# ci/: the CI regression gate and coverage (ci/README.md: "The gate",
# "Coverage").
#
#   make gate                 latency ratios + isolation vs reports/baseline.json
#   make gate GATE_QUICK=1    the short form CI runs (100 starts per runtime)
#   make gate GATE_TOLERANCE=0.2
#   make baseline             measure and write reports/baseline.json (on purpose)
#   make coverage             --coverage build, unit + e2e tests, lcov HTML in
#                             reports/coverage/, fail below COVERAGE_MIN % of core/ lines

GATE_TOLERANCE ?= 0.10
GATE_QUICK     ?=
GATE_N         ?= $(if $(GATE_QUICK),100,300)
GATE_BASELINE  ?= reports/baseline.json
GATE_REPORTS   ?= reports
BASELINE_N     ?= 500
# Empty: build/coverage, or a directory other users can reach when the
# checkout is below a 0700 directory (ci/coverage.sh says which).
COVERAGE_BUILD ?=
COVERAGE_MIN   ?= 80

.PHONY: gate baseline coverage coverage-check

gate: deps
	$(MAKE) all rootfs
	@mkdir -p $(GATE_REPORTS)
	ci/run-bases.sh $(BIN)/hull-harness gate --baseline $(GATE_BASELINE) --tolerance $(GATE_TOLERANCE) \
	  -n $(GATE_N) --json $(GATE_REPORTS)/gate.json --markdown $(GATE_REPORTS)/gate.md \
	  --raw-dir $(GATE_REPORTS) --commit $(COMMIT)

baseline: deps
	$(MAKE) all rootfs
	ci/run-bases.sh $(BIN)/hull-harness gate --write-baseline $(GATE_BASELINE) -n $(BASELINE_N) --commit $(COMMIT)

# The whole coverage run: build, tests, report, threshold.
coverage: deps
	COVERAGE_BUILD=$(COVERAGE_BUILD) COVERAGE_MIN=$(COVERAGE_MIN) REPORTS=$(GATE_REPORTS) \
	  MAKE="$(MAKE)" PYTHON=$(PYTHON) ci/coverage.sh

# Only the report and threshold, from an existing coverage run's data.
coverage-check:
	COVERAGE_BUILD=$(COVERAGE_BUILD) COVERAGE_MIN=$(COVERAGE_MIN) REPORTS=$(GATE_REPORTS) \
	  ci/coverage.sh --report-only
