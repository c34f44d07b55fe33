"""A start whose cgroup cannot be made (a limit the kernel rejects, a
parent path too long), or whose child fails during its setup after hull
made the cgroup, ends in one line, exit 125, with no cgroup directory,
process or mount left behind; --trace-fd says how far the start came.

Each start runs under a subreaper of its own (a Python child that sets
PR_SET_CHILD_SUBREAPER), so that a process left behind by hull would
become its child and be counted; every cgroup is made under a parent of
this test's, removed at the end whatever happened."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hostutil import cgroup_v1_mounts

T = 20  # seconds: every subprocess call's timeout

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="needs root (cgroups)")


V1 = cgroup_v1_mounts()
pytestmark = [pytestmark, pytest.mark.skipif(
    "memory" not in V1 or "pids" not in V1 or "cpu" not in V1,
    reason="no v1 memory, pids and cpu hierarchies")]

# Runs hull (argv after the script; TRACE_FD stands for the fd of its
# trace pipe) with its trace read and its stdout
# and stderr captured, as a subreaper: prints {"rc", "out", "err",
# "trace", "orphans"} where orphans are the processes hull left behind
# (reparented here), killed and reaped before it exits.
REAPER = r"""
import ctypes, json, os, signal, subprocess, sys, time
libc = ctypes.CDLL(None, use_errno=True)
assert libc.prctl(36, 1, 0, 0, 0) == 0  # PR_SET_CHILD_SUBREAPER
r, w = os.pipe()
argv = [str(w) if a == "TRACE_FD" else a for a in sys.argv[1:]]
p = subprocess.run(argv, pass_fds=(w,), capture_output=True, text=True,
                   timeout=20, stdin=subprocess.DEVNULL)
os.close(w)
trace = os.read(r, 1 << 20).decode()
orphans = []
while True:
    try:
        pid, _ = os.waitpid(-1, os.WNOHANG)
    except ChildProcessError:
        break
    if pid == 0:  # a live child of ours that is not hull: left behind
        kids = [int(e) for e in os.listdir("/proc") if e.isdigit() and
                open(f"/proc/{e}/stat").read().rsplit(")", 1)[1].split()[1] == str(os.getpid())]
        orphans += kids
        for k in kids:
            os.kill(k, signal.SIGKILL)
        os.waitpid(-1, 0)
        continue
    orphans.append(pid)  # exited, but only now reaped: it outlived hull
print(json.dumps({"rc": p.returncode, "out": p.stdout, "err": p.stderr,
                  "trace": trace, "orphans": orphans}))
"""


@pytest.fixture
def parent():
    """A cgroup parent of this test's; removed (it must be empty) after."""
    name = f"hull-test-cgfail-{os.getpid()}"
    yield name
    left = []
    for point in set(V1.values()):
        d = Path(point) / name
        if d.is_dir():
            left += [str(c) for c in d.iterdir() if c.is_dir()]
            for c in sorted((c for c in d.iterdir() if c.is_dir()), reverse=True):
                c.rmdir()
            d.rmdir()
    assert not left, f"cgroups left behind: {left}"


def containers_under(parent):
    return [str(c) for point in set(V1.values()) if (Path(point) / parent).is_dir()
            for c in (Path(point) / parent).iterdir() if c.is_dir()]


def mounts_of(path):
    with open("/proc/self/mountinfo") as f:
        return [line for line in f if path in line]


def reaped_run(hull, *args):
    r = subprocess.run([sys.executable, "-c", REAPER, hull, "run", "--trace-fd", "TRACE_FD", *args],
                       capture_output=True, text=True, timeout=T + 10)
    assert r.returncode == 0, r.stderr
    res = json.loads(r.stdout)
    res["phases"] = [json.loads(line)["phase"] for line in res["trace"].splitlines()]
    return res


LIMITS = ["--memory", "48m", "--pids", "77", "--cpus", "0.5"]


@pytest.mark.parametrize("opts,message", [
    (["--cpuset", "4000"], "hull: cannot write '4000' to '"),
    (["--memory", "64m", "--cgroup-parent", "a/" * 600],
     "hull: cannot create cgroup under '"),
], ids=["rejected-limit", "parent-too-long"])
def test_cgroup_failure_is_one_line_and_leaves_nothing(hull, rootfs, parent, opts, message):
    if "--cgroup-parent" not in opts:
        opts = [*opts, "--cgroup-parent", parent]
    before = mounts_of(rootfs)
    res = reaped_run(hull, *opts, rootfs, "true")
    assert res["rc"] == 125, res
    assert res["err"].startswith(message) and res["err"].count("\n") == 1, res["err"]
    phases = res["phases"]
    # The cgroup is made before the clone: no child was ever made.
    assert "parsed" in phases and "cgroup_created" not in phases, phases
    assert "child_entered" not in phases and "exec" not in phases, phases
    assert res["orphans"] == []
    assert containers_under(parent) == []
    assert mounts_of(rootfs) == before


def test_child_failing_in_its_setup_leaves_no_cgroup(hull, parent, tmp_path):
    # /proc is a file in this rootfs: the child fails mounting it, after
    # it joined the cgroup hull made.
    root = tmp_path / "root"
    root.mkdir()
    (root / "proc").write_text("")
    res = reaped_run(hull, "--cgroup-parent", parent, *LIMITS, str(root), "/true")
    assert res["rc"] == 125, res
    assert res["err"] == "hull: cannot use mountpoint '/proc': Not a directory\n", res["err"]
    phases = res["phases"]
    assert phases.index("cgroup_created") < phases.index("child_entered") < \
        phases.index("cgroup_joined"), phases
    assert "exec" not in phases, phases
    assert res["orphans"] == []
    assert containers_under(parent) == []
