# tests/e2e/containerd_leaks.mk: issue 18's leak check through containerd:
# 1,000 `ctr run --rm` with hull as the runc binary, 16 at once, then no
# cgroup, mount, state directory or process left (tests/e2e/
# test_containerd_leaks.py). make test runs the short form (32 runs).
.PHONY: containerd-leaks
containerd-leaks: all rootfs
	HULL_BUILD=$(BUILD) HULL_CTR_LEAK_RUNS=1000 $(PYTHON) -m pytest -q -s tests/e2e/test_containerd_leaks.py
