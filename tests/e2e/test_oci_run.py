"""`hull run --bundle`: which start it takes (its --trace-fd marks), and that
the container it runs is an OCI container like a created one while it runs:
`hull state`, `list` and `kill` find it.

A config that needs nothing of hull between the clone and the exec gets the
shared-memory start of `hull run` (spawn_shared_vm before the clone; hull's
"cloned" once the child has exec'd; the state written after that, as run
returns only at the end). Hooks (an exec fifo the process waits on while
they run) or a time namespace (the legacy clone has no bit for it) take the
clone3 start.

Every test has its own --root and bundle in a temp dir and kills and
force-deletes its container whatever happens; waiting is on the run's exit
or a condition on the state directory, never on sleeps."""
import json
import os
import subprocess

import pytest
from hostutil import wait_until

T = 20  # seconds: every subprocess call's timeout


@pytest.fixture
def bundle(hull, rootfs, tmp_path):
    if os.geteuid() != 0:
        pytest.skip("needs root (namespaces, mounts)")

    def make(args, **edits):
        b = tmp_path / "bundle"
        b.mkdir(exist_ok=True)
        r = subprocess.run([hull, "spec", "--bundle", str(b), "--rootfs", rootfs],
                           capture_output=True, text=True, timeout=T)
        assert r.returncode == 0, r.stderr
        cfg = json.loads((b / "config.json").read_text())
        cfg["process"]["args"] = args
        cfg["process"]["terminal"] = False
        for k, v in edits.items():
            cfg[k] = v
        (b / "config.json").write_text(json.dumps(cfg))
        return str(b)
    return make


def traced_run(hull, root, b, cid):
    """hull --trace-fd N run --bundle B ID: (exit status, stderr, phases)."""
    r_fd, w_fd = os.pipe()
    try:
        r = subprocess.run([hull, "--root", root, "--trace-fd", str(w_fd), "run", "--bundle",
                            b, cid], pass_fds=(w_fd,), stdin=subprocess.DEVNULL,
                           capture_output=True, text=True, timeout=T)
        os.close(w_fd)
        w_fd = -1
        with os.fdopen(r_fd) as f:
            r_fd = -1
            marks = [json.loads(line) for line in f.read().splitlines()]
    finally:
        for fd in (r_fd, w_fd):
            if fd >= 0:
                os.close(fd)
    return r.returncode, r.stderr, [m["phase"] for m in sorted(marks, key=lambda m: m["t_ns"])]


def test_run_bundle_takes_the_shared_memory_start(hull, bundle, tmp_path):
    b = bundle(["/bin/true"])
    rc, err, phases = traced_run(hull, str(tmp_path / "state"), b, f"shared-{os.getpid()}")
    assert rc == 0, err
    assert "spawn_shared_vm" in phases, phases
    # hull is suspended until the exec: its "cloned" comes after the child's
    # last mark, the state after that, then the exit.
    assert phases.index("config_loaded") < phases.index("state_dir_made") \
        < phases.index("spawn_shared_vm") < phases.index("child_entered") \
        < phases.index("exec") < phases.index("cloned") < phases.index("state_written") \
        < phases.index("exited") < phases.index("done"), phases
    assert not os.listdir(tmp_path / "state")  # run leaves no state


@pytest.mark.parametrize("edit", ["hooks", "time"])
def test_run_bundle_that_needs_hull_before_the_exec_takes_clone3(hull, bundle, tmp_path, edit):
    if edit == "time" and not os.path.exists("/proc/self/ns/time"):
        pytest.skip("no time namespaces in this kernel")
    b = bundle(["/bin/true"])
    cfg = json.loads(open(os.path.join(b, "config.json")).read())
    if edit == "hooks":
        cfg["hooks"] = {"poststart": [{"path": "/bin/true"}]}
    else:
        cfg["linux"]["namespaces"].append({"type": "time"})
    open(os.path.join(b, "config.json"), "w").write(json.dumps(cfg))
    rc, err, phases = traced_run(hull, str(tmp_path / "state"), b, f"clone3-{os.getpid()}")
    assert rc == 0, err
    assert "spawn_shared_vm" not in phases, phases
    # hull's "cloned" races the child's first marks, but the child waits
    # for hull (go, or the fifo) before its exec.
    assert phases.index("cloned") < phases.index("exec"), phases
    assert phases.index("state_written") < phases.index("exited"), phases


def test_state_list_and_kill_reach_a_running_run_bundle(hull, bundle, tmp_path):
    root = str(tmp_path / "state")
    cid = f"running-{os.getpid()}"
    pid_file = tmp_path / "pid"
    # PID 1 of its pid namespace: a SIGTERM before the trap is set would be
    # dropped, so "ready" is printed after it.
    b = bundle(["sh", "-c", "trap 'exit 7' TERM; echo ready; while :; do sleep 0.05; done"])
    out = tmp_path / "out"
    with open(out, "w") as o:
        p = subprocess.Popen([hull, "--root", root, "run", "--bundle", b, "--pid-file",
                              str(pid_file), cid], stdin=subprocess.DEVNULL, stdout=o,
                             stderr=subprocess.STDOUT)
    try:
        assert wait_until(lambda: "ready" in out.read_text(), 10), out.read_text()
        # The state comes right after the exec, the pid file after it.
        assert wait_until(lambda: pid_file.exists() and pid_file.read_text(), 10)
        pid = int(pid_file.read_text())
        r = subprocess.run([hull, "--root", root, "state", cid], capture_output=True,
                           text=True, timeout=T)
        assert r.returncode == 0, r.stderr
        st = json.loads(r.stdout)
        assert st["status"] == "running" and st["pid"] == pid and st["bundle"] == b
        r = subprocess.run([hull, "--root", root, "list", "-q"], capture_output=True,
                           text=True, timeout=T)
        assert cid in r.stdout.split()
        r = subprocess.run([hull, "--root", root, "kill", cid, "TERM"], capture_output=True,
                           text=True, timeout=T)
        assert r.returncode == 0, r.stderr
        assert p.wait(timeout=T) == 7, out.read_text()
    finally:
        if p.poll() is None:
            p.kill()
            p.wait(timeout=T)
        subprocess.run([hull, "--root", root, "delete", "--force", cid], capture_output=True,
                       timeout=T)
    assert not os.listdir(root)  # run removed its state at the end


@pytest.mark.parametrize("form", ["plain", "relative", "dot", "symlink"])
def test_state_bundle_is_absolute(hull, bundle, tmp_path, form):
    # A plain absolute path is recorded as given (as runc's filepath.Abs:
    # symlinks kept); anything else is made absolute by realpath.
    b = bundle(["/bin/true"])
    (tmp_path / "link").symlink_to(b)
    given, want, cwd = {
        "plain": (b, b, None),
        "relative": ("bundle", b, str(tmp_path)),
        "dot": (f"{tmp_path}/./bundle", b, None),
        "symlink": (str(tmp_path / "link"), str(tmp_path / "link"), None),
    }[form]
    root = str(tmp_path / "state")
    cid = f"bundle-{form}-{os.getpid()}"
    try:
        with open(tmp_path / "out", "w") as o:
            r = subprocess.run([hull, "--root", root, "create", "--bundle", given, cid],
                               cwd=cwd, stdin=subprocess.DEVNULL, stdout=o,
                               stderr=subprocess.STDOUT, timeout=T)
        assert r.returncode == 0, (tmp_path / "out").read_text()
        r = subprocess.run([hull, "--root", root, "state", cid], capture_output=True,
                           text=True, timeout=T)
        assert r.returncode == 0, r.stderr
        assert json.loads(r.stdout)["bundle"] == want
    finally:
        subprocess.run([hull, "--root", root, "delete", "--force", cid], capture_output=True,
                       timeout=T)
    assert not os.listdir(root)


@pytest.mark.parametrize("user,want", [
    ({"uid": 0, "gid": 0}, {"0"}),
    ({"uid": 0, "gid": 0, "additionalGids": [1234]}, {"0", "1234"}),
    ({"uid": 0, "gid": 5}, {"5"}),
    ({"uid": 1000, "gid": 1000, "additionalGids": [0]}, {"1000", "0"}),
], ids=["hulls-own", "more-groups", "other-gid", "other-user"])
def test_process_user_is_honoured_whether_or_not_it_is_hulls_own(hull, bundle, tmp_path, user,
                                                                   want):
    # Root's own ids (uid 0, gid 0, no other group) need no switch and get
    # none (a strace shows no setgroups, setgid, setuid); any other asks one.
    if os.getresuid() != (0, 0, 0) or os.getresgid() != (0, 0, 0) or set(os.getgroups()) - {0}:
        pytest.skip("needs hull run as root with no supplementary groups but 0")
    b = bundle(["sh", "-c", "id -u; id -G"])
    cfg = json.loads(open(os.path.join(b, "config.json")).read())
    cfg["process"]["user"] = user
    open(os.path.join(b, "config.json"), "w").write(json.dumps(cfg))
    r = subprocess.run([hull, "--root", str(tmp_path / "state"), "run", "--bundle", b,
                        f"user-{os.getpid()}"], stdin=subprocess.DEVNULL, capture_output=True,
                       text=True, timeout=T)
    assert r.returncode == 0, r.stderr
    uid, groups = r.stdout.split("\n")[:2]
    assert uid == str(user["uid"])
    assert set(groups.split()) == want
