"""The OCI runtime interface: `hull run --bundle`, create/start/state/kill/
delete/pause/resume/list/spec/features, driven as an engine would, and the
same bundle under crun and runc to show hull behaves as they do.

Every test uses its own --root and bundle in a temp dir and container ids
of its session's own (unique_id); a finalizer deletes (--force) whatever
container is left, so no process, cgroup, mount or state directory outlives
a test, passing or failing. Waiting is on
pidfds (the container's end) and subprocess exits, never on sleeps."""
import json
import os
import select
import shutil
import subprocess
import threading
from pathlib import Path

import pytest

T = 20  # seconds: every subprocess call's timeout


def unique_id(base):
    """A container id of this test session's own: the cgroup a container
    gets (hull-oci/ID, crun's and runc's /ID) is host-wide, and two suites
    may run at once."""
    return f"{base}-{os.getpid()}"


def cgroup_dirs(parent, name):
    """The container's cgroup directories that exist, in every hierarchy."""
    out = []
    base = Path("/sys/fs/cgroup")
    for h in [base] + [p for p in base.iterdir() if p.is_dir()]:
        d = h / parent / name
        if d.is_dir():
            out.append(d)
    return out


def wait_exit(pid, timeout=10):
    """Block until pid has ended (it need not be our child)."""
    try:
        fd = os.pidfd_open(pid)
    except ProcessLookupError:
        return
    try:
        p = select.poll()
        p.register(fd, select.POLLIN)
        assert p.poll(timeout * 1000), f"pid {pid} still running after {timeout}s"
    finally:
        os.close(fd)


class Oci:
    def __init__(self, hull, rootfs, tmp):
        self.hull = hull
        self.rootfs = rootfs
        self.root = str(tmp / "state")
        self.tmp = tmp
        self.ids = set()

    def bundle(self, args, name="bundle", **edits):
        b = self.tmp / name
        b.mkdir()
        r = subprocess.run([self.hull, "spec", "--bundle", str(b), "--rootfs", self.rootfs],
                           capture_output=True, text=True, timeout=T)
        assert r.returncode == 0, r.stderr
        cfg = json.loads((b / "config.json").read_text())
        cfg["process"]["args"] = args
        for k, v in edits.items():
            cfg[k] = v
        (b / "config.json").write_text(json.dumps(cfg))
        return str(b)

    def __call__(self, *args, **kw):
        kw.setdefault("capture_output", True)
        kw.setdefault("text", True)
        kw.setdefault("timeout", T)
        return subprocess.run([self.hull, "--root", self.root, *args], **kw)

    def create(self, bundle, cid, *extra):
        """create with stdio on files: the container keeps create's stdio, so
        pipes would keep subprocess.run waiting until the container ends."""
        self.ids.add(cid)
        out = self.tmp / f"{cid}.out"
        with open(out, "w") as o:
            r = subprocess.run([self.hull, "--root", self.root, "create", "--bundle", bundle,
                                *extra, cid], stdin=subprocess.DEVNULL, stdout=o,
                               stderr=subprocess.STDOUT, timeout=T)
        return r, out

    def state(self, cid):
        r = self("state", cid)
        assert r.returncode == 0, r.stderr
        return json.loads(r.stdout)

    def cleanup(self):
        for cid in self.ids:
            self("delete", "--force", cid)
        if os.path.isdir(self.root):
            left = os.listdir(self.root)
            shutil.rmtree(self.root, ignore_errors=True)
            assert not left, f"state left behind: {left}"


@pytest.fixture
def oci(hull, rootfs, tmp_path):
    o = Oci(hull, rootfs, tmp_path)
    yield o
    o.cleanup()


LOOP = ["sh", "-c", "trap 'exit 0' TERM; echo ready; while :; do sleep 0.05; done"]


def trap_installed(out):
    """LOOP is PID 1 of its pid namespace: a SIGTERM before its trap is set
    is dropped by the kernel. Wait for its "ready" (printed after the trap)
    before signalling it."""
    from hostutil import wait_until
    assert wait_until(lambda: "ready" in out.read_text(), 10), out.read_text()


def test_run_bundle_exit_code_and_stdout(oci):
    cid = unique_id("r1")
    b = oci.bundle(["sh", "-c", "echo hi; hostname; exit 3"])
    r = oci("run", "--bundle", b, cid)
    assert r.returncode == 3, r.stderr
    assert r.stdout == "hi\nhull\n"
    assert not os.listdir(oci.root)  # run leaves no state
    r = oci("run", "-b", b, cid)  # the id is free again
    assert r.returncode == 3


def test_run_bundle_not_found_and_bad_config(oci, tmp_path):
    cid = unique_id("r2")
    b = oci.bundle(["no-such-command"])
    r = oci("run", "--bundle", b, cid)
    assert r.returncode == 127
    assert "cannot execute 'no-such-command'" in r.stderr
    cfg = json.loads(Path(b, "config.json").read_text())
    cfg["linux"]["intelRdt"] = {"closID": "x"}
    Path(b, "config.json").write_text(json.dumps(cfg))
    r = oci("run", "--bundle", b, cid)
    assert r.returncode != 0
    assert f"unsupported field 'linux.intelRdt' in '{b}/config.json'" in r.stderr
    assert not os.path.exists(os.path.join(oci.root, cid))


def test_create_start_state_kill_delete(oci, tmp_path):
    cid = unique_id("c1")
    b = oci.bundle(LOOP)
    pid_file = tmp_path / "pid"
    r, out = oci.create(b, cid, "--pid-file", str(pid_file), "--no-new-keyring",
                        "--preserve-fds", "0")
    assert r.returncode == 0
    st = oci.state(cid)
    assert st["status"] == "created"
    assert st["id"] == cid and st["bundle"] == b and st["ociVersion"].startswith("1.")
    pid = int(pid_file.read_text())
    assert st["pid"] == pid
    assert out.read_text() == ""  # not started: the command has not run

    r = oci("start", cid)
    assert r.returncode == 0, r.stderr
    trap_installed(out)
    st = oci.state(cid)  # state survives between commands
    assert st["status"] == "running" and st["pid"] == pid
    assert cid in oci("list", "-q").stdout.split()
    r = oci("start", cid)
    assert r.returncode != 0 and "running, not created" in r.stderr
    r = oci("delete", cid)
    assert r.returncode != 0 and "--force" in r.stderr

    r = oci("kill", cid, "TERM")
    assert r.returncode == 0, r.stderr
    wait_exit(pid)
    st = oci.state(cid)
    assert st["status"] == "stopped" and st["pid"] == 0
    assert oci("kill", cid, "KILL").returncode != 0  # nothing left to signal
    assert cgroup_dirs("hull-oci", cid)  # the cgroup is there until delete
    r = oci("delete", cid)
    assert r.returncode == 0, r.stderr
    assert not os.path.exists(os.path.join(oci.root, cid))
    assert cgroup_dirs("hull-oci", cid) == []
    assert oci("state", cid).returncode != 0


def test_start_returns_once_the_process_let_go_of_the_fifo(oci):
    """start returns when the container's process has taken its byte and
    closed the exec fifo, right before its execve (runc's start returns
    once the process exec'd): a signal sent right after start reaches the
    command rather than hull's code, which as a pid namespace's init with
    no handler would lose it (runtime-tools killsig)."""
    b = oci.bundle(["sleep", "100"])
    for i in range(5):
        cid = unique_id(f"f{i}")
        r, _ = oci.create(b, cid)
        assert r.returncode == 0
        pid = oci.state(cid)["pid"]
        fd_dir = f"/proc/{pid}/fd"
        assert any("exec.fifo" in os.readlink(f"{fd_dir}/{f}") for f in os.listdir(fd_dir))
        r = oci("start", cid)
        assert r.returncode == 0, r.stderr
        links = []
        for f in os.listdir(fd_dir):
            try:
                links.append(os.readlink(f"{fd_dir}/{f}"))
            except FileNotFoundError:  # closed at the execve meanwhile
                pass
        assert not [link for link in links if "exec.fifo" in link], links
        assert oci("delete", "--force", cid).returncode == 0


@pytest.mark.parametrize("sig", ["15", "TERM", "SIGTERM", "sigterm"])
def test_kill_signal_spellings(oci, sig):
    cid = unique_id("k1")
    b = oci.bundle(LOOP)
    r, out = oci.create(b, cid)
    assert r.returncode == 0
    assert oci("start", cid).returncode == 0
    trap_installed(out)
    pid = oci.state(cid)["pid"]
    assert oci("kill", cid, sig).returncode == 0
    wait_exit(pid)
    assert oci.state(cid)["status"] == "stopped"


def test_kill_all_and_delete_force(oci):
    cid = unique_id("k2")
    b = oci.bundle(["sh", "-c", "sleep 100 & sleep 100"])
    r, _ = oci.create(b, cid)
    assert r.returncode == 0
    assert oci("start", cid).returncode == 0
    pid = oci.state(cid)["pid"]
    r = oci("kill", "--all", cid, "9")
    assert r.returncode == 0, r.stderr
    wait_exit(pid)
    assert oci("kill", cid, "NOSUCH").returncode != 0
    assert oci("delete", "--force", cid).returncode == 0
    assert oci("delete", "--force", cid).returncode == 0  # gone is fine with --force
    assert oci("delete", cid).returncode != 0


def test_delete_created_container(oci):
    cid = unique_id("d1")
    b = oci.bundle(LOOP)
    r, out = oci.create(b, cid)
    pid = oci.state(cid)["pid"]
    r = oci("delete", cid)  # not stopped: the runtime spec says refuse
    assert r.returncode != 0 and "it is created" in r.stderr, r.stderr
    assert oci.state(cid)["status"] == "created"
    assert oci("delete", "--force", cid).returncode == 0
    wait_exit(pid)
    assert out.read_text() == ""  # it never ran
    assert cgroup_dirs("hull-oci", cid) == []


def test_pause_resume(oci):
    cid = unique_id("p1")
    if not Path("/sys/fs/cgroup/freezer").is_dir() and not Path(
            "/sys/fs/cgroup/cgroup.controllers").exists():
        pytest.skip("no freezer cgroup on this host")
    b = oci.bundle(LOOP)
    oci.create(b, cid)
    assert oci("pause", cid).returncode != 0  # created, not running
    assert oci("start", cid).returncode == 0
    assert oci("pause", cid).returncode == 0
    assert oci.state(cid)["status"] == "paused"
    assert oci("resume", cid).returncode == 0
    assert oci.state(cid)["status"] == "running"
    assert oci("pause", cid).returncode == 0
    pid = oci.state(cid)["pid"]
    assert oci("delete", "--force", cid).returncode == 0  # thaws, kills
    wait_exit(pid)


def test_create_twice_and_bad_ids(oci):
    cid = unique_id("dup")
    b = oci.bundle(LOOP)
    r, _ = oci.create(b, cid)
    assert r.returncode == 0
    r, out = oci.create(b, cid)
    assert r.returncode != 0 and "already exists" in out.read_text()
    assert oci.state(cid)["status"] == "created"  # the first one is untouched
    for bad in ["../x", "a/b", ".."]:
        r = oci("create", "--bundle", b, bad)
        assert r.returncode != 0 and "invalid container id" in r.stderr


def test_concurrent_start_and_delete(oci):
    """start and delete --force of one id at once: whichever wins, nothing
    is left running and the state is consistent."""
    b = oci.bundle(LOOP)
    for i in range(5):
        cid = unique_id(f"race{i}")
        r, _ = oci.create(b, cid)
        assert r.returncode == 0
        pid = oci.state(cid)["pid"]
        procs = [subprocess.Popen([oci.hull, "--root", oci.root, *args, cid],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                 for args in (["start"], ["delete", "--force"])]
        for p in procs:
            p.wait(timeout=T)
        assert procs[1].returncode == 0
        wait_exit(pid)
        assert not os.path.exists(os.path.join(oci.root, cid))
        assert cgroup_dirs("hull-oci", cid) == []


def test_unknown_commands_and_options(oci, hull):
    r = subprocess.run([hull, "frobnicate"], capture_output=True, text=True, timeout=T)
    assert r.returncode != 0 and "unknown command 'frobnicate'" in r.stderr
    r = oci("create", "--frob", "x")
    assert r.returncode != 0 and "unknown option '--frob'" in r.stderr
    r = oci("kill", "--frob", "x")
    assert r.returncode != 0 and "unknown option" in r.stderr
    # The options create and exec share (cli_process_option), refused alike.
    for verb in ("create", "exec"):
        r = oci(verb, "--preserve-fds", "3", "x", "true")
        assert r.returncode != 0 and f"unsupported option '--preserve-fds 3' to {verb}" in r.stderr
        r = oci(verb, "--frob", "x")
        assert r.returncode != 0 and f"unknown option '--frob' to {verb}" in r.stderr
        r = oci(verb, "--console-socket")
        assert r.returncode != 0 and "option '--console-socket' requires an argument" in r.stderr
    r = oci("state")
    assert r.returncode != 0
    r = oci("state", "nope")
    assert r.returncode != 0 and "container 'nope' does not exist" in r.stderr
    r = subprocess.run([hull, "--root"], capture_output=True, text=True, timeout=T)
    assert r.returncode != 0 and "requires an argument" in r.stderr
    r = subprocess.run([hull, "--log-format", "xml", "list"], capture_output=True, text=True,
                       timeout=T)
    assert r.returncode != 0


def test_log_json(oci, tmp_path):
    log = tmp_path / "log.json"
    r = oci("--log", str(log), "--log-format", "json", "--debug", "state", "nope")
    # global options after --root are still global
    assert r.returncode != 0
    line = json.loads(log.read_text().splitlines()[-1])
    assert line["level"] == "error" and "does not exist" in line["msg"]


def test_spec_output_runs_and_features(oci, tmp_path, hull, rootfs):
    cid = unique_id("s1")
    b = tmp_path / "specb"
    b.mkdir()
    r = subprocess.run([hull, "spec", "--rootfs", rootfs], cwd=b, capture_output=True,
                       text=True, timeout=T)
    assert r.returncode == 0, r.stderr
    assert json.loads((b / "config.json").read_text())["process"]["args"] == ["sh"]
    r = subprocess.run([hull, "spec", "--rootfs", rootfs], cwd=b, capture_output=True,
                       text=True, timeout=T)
    assert r.returncode != 0 and "exists" in r.stderr  # never overwritten
    r = oci("run", "--bundle", str(b), cid, input="echo from-stdin; exit 4\n")
    assert r.returncode == 4 and r.stdout == "from-stdin\n"
    f = json.loads(oci("features").stdout)
    assert "mount" in f["linux"]["namespaces"] and "rbind" in f["mountOptions"]
    assert f["hooks"] == ["prestart", "createRuntime", "startContainer", "poststart", "poststop"]


def test_list_json(oci):
    cid = unique_id("l1")
    b = oci.bundle(LOOP)
    oci.create(b, cid)
    r = oci("list", "--format", "json")
    assert r.returncode == 0
    (entry,) = json.loads(r.stdout)
    assert entry["id"] == cid and entry["status"] == "created"
    assert cid in oci("list").stdout


def test_config_fields_reach_the_container(oci, tmp_path):
    cid = unique_id("f1")
    host = tmp_path / "share"
    host.mkdir()
    (host / "f").write_text("from-host\n")
    b = oci.bundle(["sh", "-c",
                    "cat /data/f; touch /data/x 2>/dev/null || echo ro; "
                    "grep -c ' /run tmpfs' /proc/mounts; ulimit -n; id -u; id -G; "
                    "cat /proc/sys/net/ipv4/ip_forward; hostname; "
                    "test -e /proc/kcore && echo kcore-visible; echo $FOO"],
                   hostname="oci-box")
    cfg = json.loads(Path(b, "config.json").read_text())
    cfg["mounts"] += [
        {"destination": "/data", "type": "bind", "source": str(host),
         "options": ["rbind", "ro"]},
        {"destination": "/run", "type": "tmpfs", "source": "tmpfs",
         "options": ["nosuid", "size=1m"]},
    ]
    cfg["process"]["rlimits"] = [{"type": "RLIMIT_NOFILE", "soft": 512, "hard": 1024}]
    cfg["process"]["user"] = {"uid": 1000, "gid": 1000, "additionalGids": [5]}
    cfg["process"]["capabilities"]["effective"] = []  # a non-root user has none
    cfg["process"]["capabilities"]["permitted"] = []
    cfg["process"]["env"].append("FOO=bar")
    cfg["linux"]["sysctl"] = {"net.ipv4.ip_forward": "1"}
    Path(b, "config.json").write_text(json.dumps(cfg))
    r = oci("run", "--bundle", b, cid)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split("\n") == ["from-host", "ro", "1", "512", "1000", "1000 5", "1",
                                    "oci-box", "bar", ""]


# ---- the same bundle on crun and runc ------------------------------------

def other_runtime(name):
    path = shutil.which(name)
    if not path:
        pytest.skip(f"{name} is not installed")
    return path


@pytest.mark.parametrize("runtime", ["crun", "runc"])
def test_same_bundle_as_other_runtimes(oci, runtime, tmp_path):
    cid = unique_id("cmp")
    path = other_runtime(runtime)
    b = oci.bundle(["sh", "-c", "echo out; echo err >&2; hostname; cat /proc/1/cmdline | "
                    "tr '\\0' ' '; echo; ls /dev | tr '\\n' ' '; echo; exit 5"])
    ours = oci("run", "--bundle", b, cid)
    state = str(tmp_path / f"{runtime}-state")
    # This host's cgroup2 mount has no controllers, which crun refuses:
    # hide it in a mount namespace of the runtime's own.
    theirs = subprocess.run(
        ["unshare", "-m", "sh", "-c",
         'umount /sys/fs/cgroup/unified 2>/dev/null; exec "$@"', "sh", path, "--root", state,
         "run", "--bundle", b, cid],
        capture_output=True, text=True, timeout=T, stdin=subprocess.DEVNULL)
    subprocess.run([path, "--root", state, "delete", "--force", cid], capture_output=True,
                   timeout=T)
    assert theirs.returncode == 5, theirs.stderr
    assert ours.returncode == theirs.returncode
    assert ours.stdout.splitlines()[:3] == theirs.stdout.splitlines()[:3]
    assert ours.stderr == theirs.stderr == "err\n"
