"""--trace-fd: one JSON line per phase boundary, CLOCK_MONOTONIC, in order."""
import json
import os
import subprocess

import pytest

# --spawn fork: the child waits for go first, brings lo up and builds /dev.
EARLY_GO = ["start", "parsed", "cloned", "child_entered", "lo_up", "mounts_private",
            "proc_mounted", "dev_ready", "paths_masked", "root_switched", "hostname_set",
            "caps_set", "seccomp_installed", "exec", "exited"]
# With nothing for hull to do before the child's setup (no id maps, cgroup
# or network) hull brings lo up and builds /dev while its child sets up;
# the child waits for go after the root switch and attaches that /dev.
LATE_GO = ["start", "parsed", "cloned", "child_entered", "mounts_private", "proc_mounted",
           "paths_masked", "root_switched", "hostname_set", "go_received", "dev_attached",
           "caps_set", "seccomp_installed", "exec", "exited"]


def traced(hull, rootfs, *opts):
    r_fd, w_fd = os.pipe()
    try:
        r = subprocess.run([hull, "run", "--trace-fd", str(w_fd), *opts, rootfs, "true"],
                           pass_fds=(w_fd,), capture_output=True, text=True, timeout=10)
        os.close(w_fd)
        w_fd = -1
        with os.fdopen(r_fd) as f:
            r_fd = -1
            lines = f.read().splitlines()
    finally:
        for fd in (r_fd, w_fd):
            if fd >= 0:
                os.close(fd)
    assert r.returncode == 0, r.stderr
    return [json.loads(line) for line in lines]


@pytest.mark.parametrize("opts,expected", [([], LATE_GO), (["--spawn", "fork"], EARLY_GO),
                                            (["--chroot"], LATE_GO)],
                         ids=["clone3", "fork", "chroot"])
def test_phases_in_order(hull, rootfs, opts, expected):
    marks = traced(hull, rootfs, *opts)
    assert all(set(m) == {"phase", "t_ns"} for m in marks)
    phases = [m["phase"] for m in marks]
    # Parent and child write concurrently: "cloned" (parent) may land
    # anywhere before "exited"; the child's own marks keep their order.
    child = [p for p in phases if p != "cloned"]
    assert child == [p for p in expected if p != "cloned"]
    assert "cloned" in phases
    times = {m["phase"]: m["t_ns"] for m in marks}
    order = [p for p in expected if p != "cloned"]
    assert all(times[a] <= times[b] for a, b in zip(order, order[1:]))
    assert times["start"] <= times["cloned"] <= times["exited"]


def test_no_mount_namespace_has_no_mount_phases(hull, rootfs):
    phases = [m["phase"] for m in traced(hull, rootfs, "--ns", "pid")]
    assert "mounts_private" not in phases and "proc_mounted" not in phases
    assert "root_switched" in phases and "exec" in phases
    assert "hostname_set" not in phases


def test_trace_uses_monotonic_clock(hull, rootfs):
    import time
    t0 = time.monotonic_ns()
    marks = traced(hull, rootfs)
    t1 = time.monotonic_ns()
    assert all(t0 <= m["t_ns"] <= t1 for m in marks)
