"""No leak through containerd (issue 18): many `ctr run --rm` lifecycles
with hull as the shim's runc binary, 16 at once, then nothing of them is
left -- no cgroup under the namespace's cgroup parent in any hierarchy, no
mount under the private containerd's directories, no state directory
(hull's --root, containerd's task bundles), no process (shims, container
processes) -- and every run exited 0 with its own output (or none: see below).

make test runs a short form (HULL_CTR_LEAK_RUNS, default 32); `make
containerd-leaks` runs the issue's 1,000 (tests/e2e/containerd_leaks.mk).
A private containerd (tests/pylib/private_containerd.py), stopped by its
PID whatever happens; skipped without containerd."""
import os
import select
import shutil
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import private_containerd  # tests/pylib, on the path through conftest.py
import pytest

T = private_containerd.T
NS = f"hull-e2e-leaks-{os.getpid()}"
IMAGE = "localhost/hull-leaks:latest"
RUNS = int(os.environ.get("HULL_CTR_LEAK_RUNS", "32"))
# The runc binary the shim runs: hull, or another runtime to compare with.
RUNTIME = os.environ.get("HULL_CTR_LEAK_RUNTIME")
CONCURRENT = 16

pytestmark = [
    pytest.mark.skipif(os.geteuid() != 0, reason="needs root (containerd)"),
    pytest.mark.skipif(not all(shutil.which(t) for t in private_containerd.TOOLS),
                       reason="containerd not installed: apt-get install containerd (make deps)"),
]


def mounts_under(path):
    with open("/proc/self/mountinfo") as f:
        return [line.split()[4] for line in f if str(path) in line.split()[4]]


def processes_mentioning(text):
    """PIDs whose command line names text (the shims get the socket path)."""
    found = []
    for d in Path("/proc").iterdir():
        if not d.name.isdigit() or int(d.name) == os.getpid():
            continue
        try:
            if text.encode() in (d / "cmdline").read_bytes():
                found.append(int(d.name))
        except OSError:
            pass  # gone meanwhile
    return found


def still_alive_after(pids, timeout):
    """Of pids, those that have not ended within timeout (waited on pidfds)."""
    alive = []
    deadline = time.monotonic() + timeout
    for pid in pids:
        try:
            fd = os.pidfd_open(pid)
        except ProcessLookupError:
            continue
        try:
            if not select.select([fd], [], [], max(0.0, deadline - time.monotonic()))[0]:
                alive.append(pid)
        finally:
            os.close(fd)
    return alive


def cgroups_under(parent):
    """Every directory below parent in every hierarchy (parent itself not)."""
    out = []
    for h in Path("/sys/fs/cgroup").iterdir():
        base = h / parent
        if base.is_dir():
            out += [str(p) for p in base.rglob("*") if p.is_dir()]
    return out


def test_lifecycles_leave_nothing_behind(hull, rootfs, tmp_path):
    ctd = private_containerd.Containerd(tmp_path, NS)
    runc_root = tmp_path / "runc-root"
    try:
        ctd.import_image(rootfs, IMAGE, cmd=["/bin/true"])

        def lifecycle(i):
            cid = f"leak-{i}"
            r = ctd.ctr("run", "--rm", "--fifo-dir", str(tmp_path / "fifo"), "--runc-binary",
                        RUNTIME or hull, "--runc-root", str(runc_root), IMAGE, cid, "echo", cid,
                        timeout=120)
            return cid, r

        with ThreadPoolExecutor(CONCURRENT) as pool:
            results = list(pool.map(lifecycle, range(RUNS)))
        # Each run's output is its own, never another's. An empty one is
        # containerd's known race (the client can miss the last output of a
        # process that exits right away: containerd#5741, seen with runc
        # too; here 1 in 1,000 with hull, 0 in 1,000 with runc): counted and
        # printed, not a leak.
        failed = [(cid, r.returncode, r.stdout[-100:], r.stderr.strip()[-300:])
                  for cid, r in results if r.returncode != 0 or r.stdout not in (cid + "\n", "")]
        assert not failed, f"{len(failed)} of {RUNS} runs failed, first: {failed[:3]}"
        lost = [cid for cid, r in results if r.stdout == ""]
        print(f"{RUNS} runs, {len(lost)} with their output lost by ctr: {lost[:5]}",
              file=sys.stderr)

        # Everything --rm removed is gone while containerd still runs.
        assert ctd.ctr("container", "ls", "-q").stdout.split() == []
        assert ctd.ctr("task", "ls", "-q").stdout.split() == []
        assert cgroups_under(NS) == []
        state = [str(p) for p in runc_root.glob("*/*")]
        assert state == [], f"hull state left: {state[:5]}"
        bundles = [str(p) for p in (tmp_path / "state").glob(
            "io.containerd.runtime.v2.task/*/*")]
        assert bundles == [], f"task bundles left: {bundles[:5]}"
        assert mounts_under(tmp_path) == []
        # No shim (their command lines name our socket; one may still be
        # on its way out after its delete): only containerd itself is left.
        others = [p for p in processes_mentioning(str(tmp_path)) if p != ctd.proc.pid]
        assert still_alive_after(others, 10) == []
    finally:
        ctd.stop()
    assert mounts_under(tmp_path) == []
    assert processes_mentioning(str(tmp_path)) == []
