# tests/soak/: soak, load and kill storm (tests/soak/soak.py); figures to
# $(SOAK_REPORT).
#
#   make soak               10,000 sequential runs, 1,000 16 at a time, a
#                           200-run kill storm (~10 minutes on 2 cores)
#   make soak SOAK_SHORT=1  the CI form: 3,000 / 400 / 100 (~1 minute)
SOAK_SHORT  ?=
SOAK_REPORT ?= reports/soak.md

.PHONY: soak
soak: all rootfs
	$(PYTHON) tests/soak/soak.py $(if $(SOAK_SHORT),--short) --build $(BUILD) --report $(SOAK_REPORT)
