"""hull --trace-fd N on the engine path: create, start and delete write their
phase marks (JSON lines, CLOCK_MONOTONIC) in order, so bench/lifecycle_phases.py
can say where each step's time goes.

Each test has its own --root, bundle and cgroupsPath in a temp dir and
force-deletes its container whatever happens; the container's end is
awaited on a pidfd, never with sleeps."""
import json
import os
import select
import subprocess

import pytest

T = 20  # seconds: every subprocess call's timeout

CREATE = ["start", "parsed", "config_loaded", "state_dir_made", "fifo_made", "cgroup_created",
          "cloned", "child_ready", "state_written", "done"]
# The container's own marks, written by the child between the clone and ready
# (v1: it joins its cgroup itself, first; core/lib/cgroup_self_join.h).
CHILD = ["child_entered", "cgroup_joined", "mounts_private", "proc_mounted", "dev_ready", "paths_masked",
         "root_switched", "caps_set"]
START = ["start", "parsed", "state_opened", "released", "done"]
DELETE = ["start", "parsed", "state_opened", "killed", "cgroup_removed", "state_removed", "done"]


@pytest.fixture
def engine(hull, rootfs, tmp_path):
    if os.geteuid() != 0:
        pytest.skip("needs root (a cgroup per container)")
    bundle = tmp_path / "bundle"
    bundle.mkdir()
    r = subprocess.run([hull, "spec", "--bundle", str(bundle), "--rootfs", rootfs],
                       capture_output=True, text=True, timeout=T)
    assert r.returncode == 0, r.stderr
    cfg = json.loads((bundle / "config.json").read_text())
    cfg["process"]["args"] = ["/bin/true"]
    cfg["process"]["terminal"] = False
    cfg["linux"]["cgroupsPath"] = f"/hull-test-trace-{os.getpid()}"
    (bundle / "config.json").write_text(json.dumps(cfg))
    root = str(tmp_path / "state")
    made = []

    def step(*args, trace=None):
        """hull --root ROOT [--trace-fd N] ARGS, stdio on files (a created
        container keeps create's); returns (exit status, stderr, marks)."""
        cmd = [hull, "--root", root]
        fd = -1
        if trace:
            fd = os.open(trace, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o600)
            cmd += ["--trace-fd", str(fd)]
        err = tmp_path / "stderr"
        try:
            with open(err, "w") as e:
                p = subprocess.run(cmd + list(args), stdin=subprocess.DEVNULL,
                                   stdout=subprocess.DEVNULL, stderr=e,
                                   pass_fds=(fd,) if fd >= 0 else (), timeout=T)
        finally:
            if fd >= 0:
                os.close(fd)
        return p.returncode, err.read_text(), read_marks(trace) if trace else []

    step.bundle = str(bundle)
    step.tmp = tmp_path
    step.made = made
    yield step
    for cid in made:
        subprocess.run([hull, "--root", root, "delete", "--force", cid],
                       capture_output=True, timeout=T)


def read_marks(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def phases(marks):
    return [m["phase"] for m in sorted(marks, key=lambda m: m["t_ns"])]


def wait_exit(pid, timeout=10):
    try:
        fd = os.pidfd_open(pid)
    except ProcessLookupError:
        return
    try:
        assert select.select([fd], [], [], timeout)[0], f"pid {pid} still running"
    finally:
        os.close(fd)


def test_create_start_delete_marks_in_order(engine):
    cid = f"trace-{os.getpid()}"
    engine.made.append(cid)
    pid_file = engine.tmp / "pid"
    create_trace = engine.tmp / "create.trace"
    rc, err, marks = engine("create", "--bundle", engine.bundle, "--pid-file", str(pid_file),
                            cid, trace=create_trace)
    assert rc == 0, err
    assert all(set(m) == {"phase", "t_ns"} for m in marks)
    got = phases(marks)
    # The parent's marks in order, the child's in order between the clone
    # and its ready report; nothing else (the exec comes only with start).
    assert [p for p in got if p in CREATE] == CREATE
    assert [p for p in got if p in CHILD] == CHILD
    assert got.index("cloned") < got.index("mounts_private") < got.index("child_ready")
    assert "exec" not in got
    assert got[0] == "start" and got[-1] == "done"

    rc, err, marks = engine("start", cid, trace=engine.tmp / "start.trace")
    assert rc == 0, err
    assert phases(marks) == START
    wait_exit(int(pid_file.read_text()))
    # The container kept create's trace fd: its exec mark came at start.
    after = phases(read_marks(create_trace))
    assert after[-1] == "exec" and after[:-1] == got

    rc, err, marks = engine("delete", cid, trace=engine.tmp / "delete.trace")
    assert rc == 0, err
    assert phases(marks) == DELETE
    engine.made.remove(cid)


def test_untraced_steps_write_nothing(engine):
    # Without --trace-fd the marks cost a branch and go nowhere: a create
    # whose fds 3.. are closed must still succeed.
    cid = f"notrace-{os.getpid()}"
    engine.made.append(cid)
    rc, err, _ = engine("create", "--bundle", engine.bundle, cid)
    assert rc == 0, err
    rc, err, _ = engine("delete", "--force", cid)
    assert rc == 0, err
    engine.made.remove(cid)


@pytest.mark.parametrize("bad", ["99", "x", "-1", ""])
def test_bad_trace_fd_is_refused(hull, bad):
    r = subprocess.run([hull, "--trace-fd", bad, "state", "nosuch"], capture_output=True,
                       text=True, timeout=T)
    assert r.returncode == 1
    assert f"cannot use trace fd '{bad}'" in r.stderr
