"""process.terminal with --console-socket, as podman -t drives it: hull
makes a pty inside the container, sends the master over the engine's unix
socket (SCM_RIGHTS), and the command runs with the slave as its stdio and
controlling terminal. The test plays the engine: it listens, receives the
fd, writes commands into the master and reads their output."""
import array
import json
import os
import select
import socket
import subprocess
import time

import pytest

from test_oci import T, Oci, unique_id, wait_exit


@pytest.fixture
def oci(hull, rootfs, tmp_path):
    o = Oci(hull, rootfs, tmp_path)
    yield o
    o.cleanup()


def listen(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(path)
    s.listen(1)
    s.settimeout(T)
    return s


def receive_fd(srv):
    conn, _ = srv.accept()
    with conn:
        fds = array.array("i")
        msg, anc, _, _ = conn.recvmsg(4096, socket.CMSG_SPACE(fds.itemsize))
        for level, kind, data in anc:
            if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                fds.frombytes(data[:fds.itemsize])
        assert len(fds) == 1, "no fd received"
        return fds[0], msg.decode()


def read_until(fd, needle, timeout=10):
    buf, end = b"", time.monotonic() + timeout
    while needle.encode() not in buf:
        left = end - time.monotonic()
        assert left > 0, f"{needle!r} not seen in {buf!r}"
        if select.select([fd], [], [], left)[0]:
            try:
                chunk = os.read(fd, 4096)
            except OSError:  # EIO: the slave side is closed
                break
            if not chunk:
                break
            buf += chunk
    return buf.decode(errors="replace")


def tty_bundle(oci, args):
    b = oci.bundle(args)
    p = os.path.join(b, "config.json")
    cfg = json.load(open(p))
    cfg["process"]["terminal"] = True
    json.dump(cfg, open(p, "w"))
    return b


def test_create_with_terminal_sends_the_master(oci, tmp_path):
    cid = unique_id("t1")
    sock = str(tmp_path / "console.sock")
    srv = listen(sock)
    b = tty_bundle(oci, ["sh"])
    r, out = oci.create(b, cid, "--console-socket", sock)
    assert r.returncode == 0, out.read_text()
    master, name = receive_fd(srv)
    srv.close()
    try:
        assert name.startswith("/dev/pts/")  # the container's own devpts
        assert oci("start", cid).returncode == 0
        os.write(master, b"tty; echo hi-$((1+2)); [ -t 0 ] && echo tty-$((2*2))\n")
        text = read_until(master, "tty-4")
        assert "hi-3" in text and "/dev/pts/0" in text
        pid = oci.state(cid)["pid"]
        os.write(master, b"exit 5\n")
        wait_exit(pid)
    finally:
        os.close(master)


def test_terminal_needs_console_socket(oci):
    cid = unique_id("t2")
    b = tty_bundle(oci, ["sh"])
    r, out = oci.create(b, cid)
    assert r.returncode != 0
    assert "process.terminal needs --console-socket" in out.read_text()


def test_exec_tty(oci, tmp_path):
    cid = unique_id("t3")
    b = oci.bundle(["sh", "-c", "trap 'exit 0' TERM; while :; do sleep 0.05; done"])
    r, out = oci.create(b, cid)
    assert r.returncode == 0, out.read_text()
    assert oci("start", cid).returncode == 0
    sock = str(tmp_path / "exec.sock")
    srv = listen(sock)
    proc = tmp_path / "p.json"
    proc.write_text(json.dumps({"args": ["sh"], "cwd": "/", "terminal": True,
                                "env": ["PATH=/bin:/usr/bin"], "user": {"uid": 0, "gid": 0}}))
    p = subprocess.Popen([oci.hull, "--root", oci.root, "exec", "--tty", "--console-socket",
                          sock, "--process", str(proc), cid],
                         stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    try:
        master, _ = receive_fd(srv)
        os.write(master, b"[ -t 1 ] && echo exec-$((3*3)); exit 3\n")
        read_until(master, "exec-9")
        assert p.wait(timeout=T) == 3
        os.close(master)
    finally:
        srv.close()
        if p.poll() is None:
            p.kill()
            p.wait()
