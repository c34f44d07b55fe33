"""The container's process is in its cgroup, in every hierarchy hull makes,
before anything of the container runs: on v1 the child moves itself in as
its first step (writing "0" into each `tasks` file the parent opened,
core/lib/cgroup_self_join.h), on v2 it is cloned inside.

Checked from inside (the first exec'd process reads /proc/self/cgroup), from
the host (cgroup.procs and tasks list exactly the container's process while
it waits for start), and by a limit that must hold for the first process
already (pids.max 1: the command cannot fork). Every OCI container is
force-deleted by a finalizer; waits are on pidfds, never sleeps."""
import json
import os
import select
import subprocess
from pathlib import Path

import pytest
from hostutil import cgroup_v1_mounts

T = 20  # seconds: every subprocess call's timeout

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="needs root (cgroups)")


V1 = cgroup_v1_mounts()
needs_v1 = pytest.mark.skipif("pids" not in V1 or "memory" not in V1,
                              reason="no v1 memory and pids hierarchies")
# What hull joins for an OCI container (the freezer for pause).
OCI_CTRLS = [c for c in ("memory", "cpu", "cpuacct", "pids", "freezer") if c in V1]


def cgroup_of(text):
    """{controller: path} from /proc/PID/cgroup text (v1 lines only)."""
    out = {}
    for line in text.splitlines():
        _, ctrls, path = line.split(":", 2)
        for c in ctrls.split(","):
            if c:
                out[c] = path
    return out


def wait_exit(pid, timeout=10):
    try:
        fd = os.pidfd_open(pid)
    except ProcessLookupError:
        return
    try:
        assert select.select([fd], [], [], timeout)[0], f"pid {pid} still running"
    finally:
        os.close(fd)


@pytest.fixture
def engine(hull, rootfs, tmp_path):
    """create/start/delete of bundles made by engine.bundle(args, resources)."""
    root = str(tmp_path / "state")
    made = []

    def bundle(args, cgroups_path, resources=None):
        b = tmp_path / f"bundle-{len(made)}"
        b.mkdir()
        r = subprocess.run([hull, "spec", "--bundle", str(b), "--rootfs", rootfs],
                           capture_output=True, text=True, timeout=T)
        assert r.returncode == 0, r.stderr
        cfg = json.loads((b / "config.json").read_text())
        cfg["process"]["args"] = args
        cfg["process"]["terminal"] = False
        cfg["linux"]["cgroupsPath"] = cgroups_path
        if resources:
            cfg["linux"]["resources"] = resources
        (b / "config.json").write_text(json.dumps(cfg))
        return str(b)

    def create(b, cid):
        """create with stdout on a file; returns (pid, output path)."""
        made.append(cid)
        out = tmp_path / f"{cid}.out"
        pid_file = tmp_path / f"{cid}.pid"
        with open(out, "w") as o:
            r = subprocess.run([hull, "--root", root, "create", "--bundle", b, "--pid-file",
                                str(pid_file), cid], stdin=subprocess.DEVNULL, stdout=o,
                               stderr=subprocess.STDOUT, timeout=T)
        assert r.returncode == 0, out.read_text()
        return int(pid_file.read_text()), out

    def step(*args):
        return subprocess.run([hull, "--root", root, *args], capture_output=True, text=True,
                              timeout=T)

    engine = type("Engine", (), {})()
    engine.bundle, engine.create, engine.step = bundle, create, step
    yield engine
    for cid in made:
        step("delete", "--force", cid)


@needs_v1
def test_created_container_is_alone_and_whole_in_its_cgroups(engine):
    path = f"/hull-test-join-{os.getpid()}"
    cid = f"join-{os.getpid()}"
    pid, _ = engine.create(engine.bundle(["/bin/true"], path), cid)
    # Waiting on the exec fifo, nothing of the command has run yet: the
    # process is already in every hierarchy, and it is the only one there.
    with open(f"/proc/{pid}/cgroup") as f:
        seen = cgroup_of(f.read())
    for c in OCI_CTRLS:
        assert seen[c] == path, (c, seen)
        d = Path(V1[c]) / path.lstrip("/")
        assert (d / "cgroup.procs").read_text().split() == [str(pid)], c
        assert (d / "tasks").read_text().split() == [str(pid)], c
    assert engine.step("start", cid).returncode == 0
    wait_exit(pid)
    r = engine.step("delete", cid)
    assert r.returncode == 0, r.stderr
    assert not any((Path(V1[c]) / path.lstrip("/")).exists() for c in OCI_CTRLS)


@needs_v1
def test_first_exec_is_already_in_its_cgroup(engine):
    path = f"/hull-test-join-exec-{os.getpid()}"
    cid = f"join-exec-{os.getpid()}"
    pid, out = engine.create(engine.bundle(["cat", "/proc/self/cgroup"], path), cid)
    assert engine.step("start", cid).returncode == 0
    wait_exit(pid)
    seen = cgroup_of(out.read_text())
    assert {c: seen.get(c) for c in OCI_CTRLS} == {c: path for c in OCI_CTRLS}, seen


@needs_v1
def test_pids_limit_holds_for_the_first_process(engine):
    # pids.max 1: the command itself is the one; its first fork must fail.
    path = f"/hull-test-join-pids-{os.getpid()}"
    cid = f"join-pids-{os.getpid()}"
    b = engine.bundle(["sh", "-c", "/bin/true; echo forked"], path,
                      resources={"pids": {"limit": 1}})
    pid, out = engine.create(b, cid)
    assert engine.step("start", cid).returncode == 0
    wait_exit(pid)
    text = out.read_text()
    assert "can't fork" in text and "forked" not in text, text


@needs_v1
@pytest.mark.parametrize("opts", [[], ["--spawn", "fork"],
                                  ["--ns", "mnt,uts,pid,ipc,net,user"]],
                         ids=["clone3", "fork", "userns"])
def test_run_command_is_in_its_cgroups(run, opts):
    r = run(*opts, "--memory", "64m", "--pids", "50", "ROOTFS", "cat", "/proc/self/cgroup")
    assert r.returncode == 0, r.stderr
    seen = cgroup_of(r.stdout)
    assert seen["memory"].startswith("/hull/"), r.stdout
    assert all(seen[c] == seen["memory"] for c in ("pids", "cpu", "cpuacct") if c in V1)
