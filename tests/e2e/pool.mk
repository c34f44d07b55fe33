# tests/e2e/pool.mk: the long pool stress run (tests/e2e/test_pool_lifecycle.py):
# 2,000 `hull run --pool` with 16 at once and random SIGKILLs of clients;
# no leak, no slot used twice, no hang. make test runs the short form.
.PHONY: pool-stress
pool-stress: all rootfs
	HULL_BUILD=$(BUILD) HULL_POOL_STRESS=1 $(PYTHON) -m pytest -q tests/e2e/test_pool_lifecycle.py -k stress
