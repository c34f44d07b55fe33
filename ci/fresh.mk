# ci/fresh.mk: hull from where a newcomer's checkout lives (ci/README.md,
# "Fresh-machine check" and "Checkout below a 0700 directory").
#
#   make e2e-0700        user-namespace and isolation e2e tests from a clone
#                        under a fresh 0700 directory (a CI step, ~2 minutes)
#   make fresh-check     a debootstrap'ed Debian 12 (cached under /var/tmp),
#                        a clone under its /root, make test + make bench inside
#                        by pivot_root (not CI: tens of minutes)
#   make fresh-check FRESH_REBUILD=1        debootstrap the cached tree again
#   make fresh-check FRESH_TARGETS=test     only make test inside

.PHONY: e2e-0700 fresh-check

e2e-0700: deps
	MAKE="$(MAKE)" PYTHON=$(PYTHON) ci/e2e-0700.sh

fresh-check:
	ci/fresh-check.sh
