"""Exit statuses, signal forwarding, and the container's life bound to
hull's."""
import json
import os
import select
import shutil
import signal
import subprocess

import pytest

from hostutil import (deepest_descendant, descendants_of, proc_stat, read_line, traced_env,
                      wait_gone)

SPAWNS = ["clone3", "fork"]


@pytest.mark.parametrize("mode", SPAWNS)
@pytest.mark.parametrize("code", [0, 1, 42, 255])
def test_command_exit_code(run, mode, code):
    r = run("--spawn", mode, "ROOTFS", "sh", "-c", f"exit {code}")
    assert r.returncode == code
    assert r.stderr == ""


def test_not_executable_is_126(run):
    r = run("/etc/passwd")
    assert r.returncode == 126
    assert r.stderr == "hull: cannot execute '/etc/passwd': Permission denied\n"


@pytest.mark.parametrize("mode", SPAWNS)
def test_not_found_is_127(run, mode):
    r = run("--spawn", mode, "ROOTFS", "no-such-command")
    assert r.returncode == 127
    assert r.stderr == "hull: cannot execute 'no-such-command': No such file or directory\n"
    r = run("/bin/no-such-command")
    assert r.returncode == 127


@pytest.mark.parametrize("mode", SPAWNS)
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_killed_by_signal_is_128_plus_n(run, mode, sig):
    # Without a PID namespace the shell is not an init and can be killed by
    # its own signal (a PID 1 ignores signals it has no handler for).
    r = run("--spawn", mode, "--ns", "mnt,uts", "ROOTFS", "sh", "-c", f"kill -{int(sig)} $$")
    assert r.returncode == 128 + sig


@pytest.mark.parametrize("mode", SPAWNS)
def test_pid1_killed_from_host_is_137(hull, rootfs, mode, spawn_proc):
    p = spawn_proc([hull, "run", "--spawn", mode, rootfs, "sh", "-c", "echo ready; read x"])
    assert read_line(p.stdout, 10) == "ready\n"
    os.kill(deepest_descendant(p.pid), signal.SIGKILL)
    assert p.wait(timeout=10) == 137


FORWARDED = [signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT,
             signal.SIGUSR1, signal.SIGUSR2]


@pytest.mark.parametrize("mode", SPAWNS)
@pytest.mark.parametrize("sig", FORWARDED, ids=[s.name for s in FORWARDED])
def test_signals_are_forwarded(hull, rootfs, mode, sig, spawn_proc):
    name = sig.name[3:]
    p = spawn_proc([hull, "run", "--spawn", mode, rootfs, "sh", "-c",
                    f'trap "echo got-{name}; exit 3" {name}; echo ready; read x'])
    assert read_line(p.stdout, 10) == "ready\n"
    p.send_signal(sig)
    assert read_line(p.stdout, 10) == f"got-{name}\n"
    assert p.wait(timeout=10) == 3


@pytest.mark.parametrize("mode", SPAWNS)
def test_container_dies_with_hull(hull, rootfs, mode, spawn_proc):
    p = spawn_proc([hull, "run", "--spawn", mode, rootfs, "sh", "-c",
                    "sleep 1000 & echo ready; read x"])
    assert read_line(p.stdout, 10) == "ready\n"
    inside = descendants_of(p.pid)
    assert len(inside) >= 2  # the shell and its sleep (and fork mode's middle)
    p.kill()
    p.wait(timeout=10)
    assert wait_gone(inside, timeout=5) == []


@pytest.fixture
def spawn_proc(spawn):
    def _spawn(argv):
        return spawn(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                     stderr=subprocess.PIPE, text=True)
    return _spawn


def test_container_never_runs_when_hull_dies_before_go(hull, rootfs, spawn):
    """With nothing for hull to do first but something after (--init), its
    child sets up without waiting and waits for go only after its root
    switch. strace holds hull's own share (its
    setns into the child's net namespace, to bring lo up) for 2 s while the
    child finishes; hull is killed there (it dies once strace lets go): the
    command must never run, and the child must not outlive hull."""
    if os.geteuid() != 0:
        pytest.skip("needs root (namespaces, mounts)")
    if not shutil.which("strace"):
        pytest.skip("needs strace (apt install strace)")
    r_fd, w_fd = os.pipe()
    try:
        p = spawn(["strace", "-f", "-qq", "-o", "/dev/null", "-e", "trace=setns",
                   "-e", "inject=setns:delay_enter=2000000",
                   hull, "run", "--init", "--trace-fd", str(w_fd), rootfs, "echo", "ran"],
                  pass_fds=(w_fd,), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                  env=traced_env())
        os.close(w_fd)
        w_fd = -1
        marks = []
        with os.fdopen(r_fd, "rb", buffering=0) as trace:
            r_fd = -1
            buf = b""
            while b'"hostname_set"' not in buf:
                assert select.select([trace], [], [], 20)[0], buf
                chunk = trace.read(4096)
                assert chunk, buf
                buf += chunk
            # The child has switched its root and waits for go.
            hull_pids = [pid for pid in descendants_of(p.pid) if proc_stat(pid)[1] == p.pid]
            assert len(hull_pids) == 1
            inside = descendants_of(hull_pids[0])
            assert len(inside) == 1
            os.kill(hull_pids[0], signal.SIGKILL)
            assert wait_gone(inside, timeout=20) == []
            assert select.select([trace], [], [], 20)[0]
            while chunk := trace.read(4096):
                buf += chunk
            marks = [json.loads(line)["phase"] for line in buf.decode().splitlines()]
        p.wait(timeout=30)
        assert "go_received" not in marks and "exec" not in marks, marks
        assert "ran" not in p.stdout.read().decode()
    finally:
        for fd in (r_fd, w_fd):
            if fd >= 0:
                os.close(fd)


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=["KILL", "TERM"])
def test_signal_to_hull_while_its_shared_child_sets_up(hull, rootfs, spawn, sig):
    """A default start's child shares hull's memory while hull is suspended
    until the exec. strace holds the child in its sethostname (after the
    root switch) for 2 s; hull gets sig meanwhile. SIGKILL: hull dies in
    its wait, the child with it (its parent-death signal), the command
    never runs. SIGTERM: pending in hull (blocked), which forwards it once
    the command runs; hull ends with 128 + SIGTERM, nothing left."""
    if os.geteuid() != 0:
        pytest.skip("needs root (namespaces, mounts)")
    if not shutil.which("strace"):
        pytest.skip("needs strace (apt install strace)")
    r_fd, w_fd = os.pipe()
    try:
        p = spawn(["strace", "-f", "-qq", "-o", "/dev/null", "-e", "trace=sethostname",
                   "-e", "inject=sethostname:delay_enter=2000000",
                   hull, "run", "--trace-fd", str(w_fd), rootfs, "sh", "-c",
                   "echo ran; exec sleep 60"],
                  pass_fds=(w_fd,), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                  env=traced_env())
        os.close(w_fd)
        w_fd = -1
        with os.fdopen(r_fd, "rb", buffering=0) as trace:
            r_fd = -1
            buf = b""
            while b'"root_switched"' not in buf:
                assert select.select([trace], [], [], 20)[0], buf
                chunk = trace.read(4096)
                assert chunk, buf
                buf += chunk
            assert b'"spawn_shared_vm"' in buf, buf
            # The child holds in sethostname, hull in its clone.
            hull_pids = [pid for pid in descendants_of(p.pid) if proc_stat(pid)[1] == p.pid]
            assert len(hull_pids) == 1
            inside = descendants_of(hull_pids[0])
            assert len(inside) == 1
            os.kill(hull_pids[0], sig)
            assert wait_gone(inside, timeout=20) == []
            assert select.select([trace], [], [], 20)[0]
            while chunk := trace.read(4096):
                buf += chunk
        marks = [json.loads(line)["phase"] for line in buf.decode().splitlines()]
        status = p.wait(timeout=30)
        if sig == signal.SIGKILL:
            assert "exec" not in marks, marks
            assert "ran" not in p.stdout.read().decode()
        else:
            # strace ends as its tracee did: hull's 128 + SIGTERM.
            assert status == 128 + signal.SIGTERM, (status, marks)
            assert "exited" in marks, marks
    finally:
        for fd in (r_fd, w_fd):
            if fd >= 0:
                os.close(fd)
