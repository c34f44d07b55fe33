"""`hull exec`: a second process in a created+started OCI container, as
podman exec drives it (--process JSON, --detach, --pid-file), and the
runc-style form with the command after the id.

Each test uses the Oci helper of test_oci.py: its own --root and bundle in
a temp dir, and a finalizer that deletes every container it made."""
import json
import os
import subprocess

import pytest

from test_oci import LOOP, T, Oci, unique_id, wait_exit  # noqa: F401 (fixture helpers)


@pytest.fixture
def oci(hull, rootfs, tmp_path):
    o = Oci(hull, rootfs, tmp_path)
    yield o
    o.cleanup()


def running(oci, cid, **edits):
    b = oci.bundle(LOOP, **edits)
    cfg_path = os.path.join(b, "config.json")
    cfg = json.load(open(cfg_path))
    cfg["process"]["cwd"] = "/tmp"
    json.dump(cfg, open(cfg_path, "w"))
    r, out = oci.create(b, cid)
    assert r.returncode == 0, out.read_text()
    r = oci("start", cid)
    assert r.returncode == 0, r.stderr
    return b


def process_file(tmp_path, args, **fields):
    p = {"args": args, "cwd": "/", "env": ["PATH=/bin:/usr/bin:/sbin"],
         "user": {"uid": 0, "gid": 0}, "terminal": False}
    p.update(fields)
    f = tmp_path / "process.json"
    f.write_text(json.dumps(p))
    return str(f)


def test_exec_sees_the_containers_world(oci, tmp_path):
    cid = unique_id("e1")
    running(oci, cid)
    host_ns = os.readlink("/proc/self/ns/pid")
    st = oci.state(cid)
    script = ("echo pid=$$; hostname; pwd; readlink /proc/self/ns/pid;"
              " tr '\\0' ' ' < /proc/1/cmdline; echo; grep -c ' / ' /proc/self/mountinfo")
    proc = process_file(tmp_path, ["sh", "-c", script], cwd="/etc")
    r = oci("exec", "--process", proc, cid)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] != "pid=1" and lines[0].startswith("pid=")
    assert lines[1] == "hull"  # the container's hostname
    assert lines[2] == "/etc"  # process.cwd
    assert lines[3] == os.readlink(f"/proc/{st['pid']}/ns/pid") != host_ns
    assert lines[4].startswith("sh -c trap")  # the container's init is 1
    assert int(lines[5]) >= 1  # the container's root mount
    # The runc form: command after the id, the config's cwd.
    r = oci("exec", "--no-new-keyring", "--preserve-fds", "0", cid, "pwd")
    assert (r.returncode, r.stdout) == (0, "/tmp\n"), r.stderr


def test_exec_mounts_are_the_containers(oci, tmp_path):
    cid = unique_id("e2")
    running(oci, cid)
    r = oci("exec", cid, "ls", "/")
    assert r.returncode == 0, r.stderr
    assert sorted(r.stdout.split()) == sorted(os.listdir(oci.rootfs))
    r = oci("exec", cid, "sh", "-c", "echo x > /tmp/seen")
    assert r.returncode == 0, r.stderr
    r = oci("exec", cid, "cat", "/tmp/seen")
    assert r.stdout == "x\n"


@pytest.mark.parametrize("code", [0, 3, 42])
def test_exec_exit_codes_pass_through(oci, tmp_path, code):
    cid = unique_id("e3")
    running(oci, cid)
    proc = process_file(tmp_path, ["sh", "-c", f"exit {code}"])
    r = oci("exec", "--process", proc, cid)
    assert r.returncode == code, r.stderr


def test_exec_not_found_and_stopped(oci, tmp_path):
    cid = unique_id("e4")
    running(oci, cid)
    r = oci("exec", cid, "no-such-command")
    assert r.returncode == 127
    assert "no-such-command" in r.stderr
    st = oci.state(cid)
    assert oci("kill", cid, "KILL").returncode == 0
    wait_exit(st["pid"])
    r = oci("exec", cid, "true")
    assert r.returncode == 1 and "it is stopped" in r.stderr
    r = oci("exec", "nope", "true")
    assert r.returncode == 1
    r = oci("exec", cid)
    assert r.returncode == 1 and "needs --process" in r.stderr


def test_exec_detach_writes_pid_file(oci, tmp_path):
    cid = unique_id("e5")
    running(oci, cid)
    pid_file = tmp_path / "exec.pid"
    proc = process_file(tmp_path, ["sleep", "30"])
    # The detached process keeps exec's stdio: files, not pipes.
    err = tmp_path / "exec.err"
    with open(err, "w") as e:
        r = oci("exec", "--process", proc, "--detach", "--pid-file", str(pid_file), cid,
                stdin=subprocess.DEVNULL, stdout=e, stderr=e, capture_output=False)
    assert r.returncode == 0, err.read_text()
    pid = int(pid_file.read_text())
    st = oci.state(cid)
    assert os.readlink(f"/proc/{pid}/ns/pid") == os.readlink(f"/proc/{st['pid']}/ns/pid")
    assert os.readlink(f"/proc/{pid}/ns/mnt") == os.readlink(f"/proc/{st['pid']}/ns/mnt")
    with open(f"/proc/{pid}/cgroup") as f1, open(f"/proc/{st['pid']}/cgroup") as f2:
        assert f1.read() == f2.read()  # joined the container's cgroup
    # delete --force kills the whole cgroup, the exec'd process with it.
    assert oci("delete", "--force", cid).returncode == 0
    wait_exit(pid)


def test_exec_user_and_env(oci, tmp_path):
    cid = unique_id("e6")
    running(oci, cid)
    proc = process_file(tmp_path, ["sh", "-c", "id -u; id -g; echo $FOO"],
                        user={"uid": 1000, "gid": 1001}, env=["PATH=/bin", "FOO=bar"],
                        noNewPrivileges=True)
    r = oci("exec", "--process", proc, cid)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["1000", "1001", "bar"]


SECCOMP = {
    "defaultAction": "SCMP_ACT_ALLOW",
    "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
    "syscalls": [
        {"names": ["mkdir", "mkdirat", "no_such_syscall_anywhere"],
         "action": "SCMP_ACT_ERRNO", "errnoRet": 13},
        {"names": ["chmod", "fchmodat", "fchmodat2"], "action": "SCMP_ACT_ERRNO"},
    ],
}


def test_seccomp_denied_syscall_returns_its_errno(oci, tmp_path):
    s1 = unique_id("s1")
    s2 = unique_id("s2")
    s3 = unique_id("s3")
    b = oci.bundle(["sh", "-c", "mkdir /tmp/d; chmod 700 /tmp; ls /tmp/d; echo done"])
    cfg_path = os.path.join(b, "config.json")
    cfg = json.load(open(cfg_path))
    cfg["linux"]["seccomp"] = SECCOMP
    json.dump(cfg, open(cfg_path, "w"))
    r = oci("run", "--bundle", b, s1)
    assert r.returncode == 0, r.stderr
    assert "Permission denied" in r.stderr  # mkdir: errnoRet 13 (EACCES)
    assert "Operation not permitted" in r.stderr  # chmod: EPERM by default
    assert r.stdout == "done\n"
    # exec gets the container's filter too.
    cfg["process"]["args"] = LOOP
    json.dump(cfg, open(cfg_path, "w"))
    r, out = oci.create(b, s2)
    assert r.returncode == 0, out.read_text()
    assert oci("start", s2).returncode == 0
    r = oci("exec", s2, "mkdir", "/tmp/x")
    assert r.returncode == 1 and "Permission denied" in r.stderr
    # An unknown action is refused by field.
    cfg["linux"]["seccomp"]["defaultAction"] = "SCMP_ACT_MAYBE"
    json.dump(cfg, open(cfg_path, "w"))
    r = oci("run", "--bundle", b, s3)
    assert r.returncode != 0
    assert "unsupported seccomp action 'SCMP_ACT_MAYBE' in 'linux.seccomp.defaultAction'" \
        in r.stderr
