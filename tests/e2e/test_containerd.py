"""containerd with hull as the runc binary of its io.containerd.runc.v2 shim:
the engine Kubernetes drives. Every scenario runs twice, once with hull and
once with runc (`--runc-binary`), so a failure says whether it is hull's.

The shim calls the runtime as `RUNTIME --root R --log B/log.json --log-format
json create --bundle B --pid-file B/init.pid [--console-socket S] ID`, then
start, `exec --process F --detach --pid-file F`, `kill [--all] ID SIG`,
pause, resume, `ps --format json`, `update --resources -`, `delete
[--force]`. Metrics and OOM events it reads itself from the container's
cgroup, so those prove hull put the process where the spec said.

A private containerd per module (tests/pylib/private_containerd.py): its own
config.toml, root, state, gRPC and ttrpc sockets under a temp dir (CRI plugin
off), started here and stopped by its PID, its namespace and cgroup parent
named after the test session's PID; the image is an OCI archive built from build/rootfs and imported
with `ctr image import`; each runtime keeps its state under the temp dir
(`--runc-root`). The finalizer kills and deletes every task and container,
stops the shims it can name (their shim.pid files) and containerd, removes
the containers' cgroup parent if this module created it, and checks that
no mount is left under the temp dir. Skipped with a reason without
containerd. The CRI pod lifecycle needs crictl (not packaged in Debian)."""
import json
import os
import pty
import select
import shutil
import subprocess
import time
from pathlib import Path

import private_containerd  # tests/pylib, on the path through conftest.py
import pytest

T = private_containerd.T  # seconds per ctr call
# containerd namespace and the containers' cgroup parent: one per test session,
# so two suites running at once never share a cgroup path.
NS = f"hull-e2e-ctr-{os.getpid()}"
IMAGE = "localhost/hull-e2e:latest"
RUNTIMES = ["hull", "runc"]

pytestmark = pytest.mark.skipif(
    not all(shutil.which(tool) for tool in private_containerd.TOOLS),
    reason="containerd not installed: apt-get install containerd (make deps)")


def mounts():
    with open("/proc/self/mountinfo") as f:
        return sorted(" ".join(line.split()[3:5]) for line in f)


def wait_for(what, cond, timeout=15.0, step=0.02):
    """Poll cond() until it returns a true value (returned) or fail."""
    deadline = time.monotonic() + timeout
    while True:
        v = cond()
        if v:
            return v
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout}s waiting for {what}")
        time.sleep(step)


class Containerd(private_containerd.Containerd):
    """The shared private containerd (tests/pylib) plus the runtime choice."""

    def __init__(self, tmp, hull):
        super().__init__(tmp, NS)
        self.binaries = {"hull": hull, "runc": shutil.which("runc")}

    def ctr_argv(self, *args):
        return self.argv(*args)

    def run_args(self, runtime, *opts):
        """`run` options selecting runtime (hull or runc) and its state root."""
        return ["run", "--fifo-dir", str(self.tmp / "fifo"), "--runc-binary", self.binaries[runtime],
                "--runc-root", str(self.tmp / f"runc-root-{runtime}"), *opts]

    def run(self, runtime, cid, *cmd, opts=(), timeout=T):
        """ctr run --rm (foreground) -> CompletedProcess."""
        return self.ctr(*self.run_args(runtime, "--rm", *opts), IMAGE, cid, *cmd,
                        timeout=timeout)

    def exec_args(self):
        return ["task", "exec", "--fifo-dir", str(self.tmp / "fifo")]

    def start(self, runtime, cid, *cmd, opts=()):
        """ctr run -d: the task runs `cmd` in the background; returns its host PID."""
        r = self.ctr(*self.run_args(runtime, "-d", *opts), IMAGE, cid, *cmd)
        assert r.returncode == 0, r.stderr
        return int(wait_for(f"{cid} running", lambda: self.task(cid)[1] == "RUNNING"
                            and self.task(cid)[0]))


@pytest.fixture(scope="module")
def ctd(hull, rootfs, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("containerd")
    c = Containerd(tmp, hull)
    try:
        c.import_image(rootfs, IMAGE)
        yield c
    finally:
        left = [m for m in mounts() if str(tmp) in m]  # ours only: others test too
        c.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    assert not left, f"containerd, its shims or the runtime left mounts behind: {left}"


@pytest.fixture(params=RUNTIMES)
def rt(request, ctd):
    """The runtime under test; the containers a test names are removed after it."""
    names = []

    def name(base):
        cid = f"{base}-{request.param}"
        names.append(cid)
        return cid

    yield request.param, name
    for cid in names:
        ctd.remove(cid)


def host_cgroup_dir(pid, controller):
    for line in Path(f"/proc/{pid}/cgroup").read_text().splitlines():
        _, ctrls, path = line.split(":", 2)
        if controller in ctrls.split(","):
            return Path("/sys/fs/cgroup") / controller / path.lstrip("/")
    pytest.skip(f"no cgroup v1 {controller} controller on this host")


def read_pty(master, proc, timeout=T):
    """Everything written to the pty until proc exits (bounded)."""
    out = b""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.1)
        if ready:
            try:
                data = os.read(master, 4096)
            except OSError:  # EIO: every slave end closed
                break
            if not data:
                break
            out += data
        elif proc.poll() is not None:
            break
    return out.decode(errors="replace")


def ctr_on_pty(ctd, argv):
    """Run ctr with a pty as its terminal (ctr -t needs one) -> (rc, output)."""
    master, slave = pty.openpty()
    try:
        p = subprocess.Popen(ctd.ctr_argv(*argv), stdin=slave, stdout=slave, stderr=slave,
                             start_new_session=True)
        os.close(slave)
        out = read_pty(master, p)
        return p.wait(timeout=T), out
    finally:
        os.close(master)


# --- scenarios ---------------------------------------------------------------

def test_run_exit_code_and_stdout(ctd, rt):
    runtime, name = rt
    r = ctd.run(runtime, name("exit"), "sh", "-c", "echo out-$((6*7)); echo err >&2; exit 3")
    assert r.returncode == 3, r.stderr
    assert r.stdout == "out-42\n"
    assert "err" in r.stderr


def test_tty(ctd, rt):
    runtime, name = rt
    rc, out = ctr_on_pty(ctd, ctd.run_args(runtime, "--rm", "-t") +
                         [IMAGE, name("tty"), "sh", "-c", "tty; stty size; exit 5"])
    assert rc == 5, out
    assert "/dev/pts/0" in out


def test_memory_limit_and_oom_event(ctd, rt):
    runtime, name = rt
    cid = name("oom")
    pid = ctd.start(runtime, cid, "sleep", "1000", opts=["--memory-limit", str(32 << 20)])
    limit = host_cgroup_dir(pid, "memory") / "memory.limit_in_bytes"
    assert int(limit.read_text()) == 32 << 20
    events_log = ctd.tmp / f"events-{cid}.log"
    with open(events_log, "w") as f:
        ev = subprocess.Popen(ctd.ctr_argv("events"), stdout=f, stderr=subprocess.STDOUT,
                              start_new_session=True)
    try:
        # ctr events is subscribed once it printed nothing and still runs; the
        # OOM kill comes after the exec below, which it sees whatever the order.
        r = ctd.ctr(*ctd.exec_args(), "--exec-id", "hog", cid, "tail", "/dev/zero")
        assert r.returncode == 137, (r.returncode, r.stderr)
        wait_for("a /tasks/oom event", lambda: any(
            "/tasks/oom" in line and cid in line
            for line in events_log.read_text().splitlines()))
    finally:
        ev.kill()
        ev.wait(timeout=T)


def test_exec_detached_task(ctd, rt):
    runtime, name = rt
    cid = name("exec")
    ctd.start(runtime, cid, "sleep", "1000")
    r = ctd.ctr(*ctd.exec_args(), "--exec-id", "e1", cid, "sh", "-c",
                "echo in; cat /proc/1/cmdline | tr '\\0' ' '; exit 7")
    assert r.returncode == 7, r.stderr
    assert r.stdout.splitlines() == ["in", "sleep 1000 "]
    rc, out = ctr_on_pty(ctd, [*ctd.exec_args(), "-t", "--exec-id", "e2", cid,
                               "sh", "-c", "tty; exit 4"])
    assert rc == 4, out
    assert "/dev/pts/" in out
    ps = ctd.ctr("task", "ps", cid)
    assert ps.returncode == 0, ps.stderr
    assert ps.stdout.split()[0] == "PID" and len(ps.stdout.splitlines()) == 2, ps.stdout


def test_pause_resume(ctd, rt):
    runtime, name = rt
    cid = name("pause")
    pid = ctd.start(runtime, cid, "sleep", "1000")
    r = ctd.ctr("task", "pause", cid)
    assert r.returncode == 0, r.stderr
    assert ctd.task(cid)[1] == "PAUSED"
    state = host_cgroup_dir(pid, "freezer") / "freezer.state"
    assert state.read_text().strip() == "FROZEN"
    r = ctd.ctr("task", "resume", cid)
    assert r.returncode == 0, r.stderr
    assert ctd.task(cid)[1] == "RUNNING"
    assert state.read_text().strip() == "THAWED"
    r = ctd.ctr(*ctd.exec_args(), "--exec-id", "after", cid, "true")
    assert r.returncode == 0, r.stderr


def test_metrics(ctd, rt):
    runtime, name = rt
    cid = name("metrics")
    ctd.start(runtime, cid, "sh", "-c", "x=$(seq 1 20000); sleep 1000",
              opts=["--memory-limit", str(64 << 20)])
    r = ctd.ctr("task", "metrics", "--format", "json", cid)
    assert r.returncode == 0, r.stderr
    m = json.loads(r.stdout)
    assert m["memory"]["usage"]["limit"] == 64 << 20
    assert m["memory"]["usage"]["usage"] > 0
    assert m["pids"]["current"] >= 1
    assert m["cpu"]["usage"]["total"] > 0


def test_kill(ctd, rt, spawn):
    runtime, name = rt
    cid = name("kill")
    p = spawn(ctd.ctr_argv(*ctd.run_args(runtime, "--rm"), IMAGE, cid, "sleep", "1000"),
              stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    wait_for(f"{cid} running", lambda: ctd.task(cid)[1] == "RUNNING")
    r = ctd.ctr("task", "kill", "-s", "KILL", cid)
    assert r.returncode == 0, r.stderr
    assert p.wait(timeout=T) == 137


def test_kill_all(ctd, rt, spawn):
    runtime, name = rt
    cid = name("killall")
    pid = ctd.start(runtime, cid, "sh", "-c", "sleep 1000 & sleep 1000 & wait")
    ex = spawn(ctd.ctr_argv(*ctd.exec_args(), "--exec-id", "x", cid, "sleep", "1000"),
               stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    procs = host_cgroup_dir(pid, "pids") / "cgroup.procs"
    wait_for("4 processes in the container", lambda: len(procs.read_text().split()) == 4)
    r = ctd.ctr("task", "kill", "--all", "-s", "KILL", cid)
    assert r.returncode == 0, r.stderr
    assert ex.wait(timeout=T) == 137
    wait_for(f"{cid} stopped", lambda: ctd.task(cid)[1] == "STOPPED")
    assert procs.read_text().split() == [] if procs.exists() else True
    # A stopped container: the shim runs `kill --all ID 9` again (runc: success)
    # and `kill ID 9` (runc: "container not running" -> containerd's not found).
    r = ctd.ctr("task", "kill", "--all", "-s", "KILL", cid)
    assert r.returncode == 0, r.stderr
    r = ctd.ctr("task", "kill", "-s", "KILL", cid)
    assert "not found" in r.stderr, r.stderr


def test_delete(ctd, rt):
    runtime, name = rt
    cid = name("delete")
    ctd.start(runtime, cid, "sleep", "1000")
    root = ctd.tmp / f"runc-root-{runtime}" / NS
    assert (root / cid).exists()
    r = ctd.ctr("task", "rm", cid)
    assert r.returncode != 0  # running: refused without -f
    r = ctd.ctr("task", "rm", "-f", cid)
    assert r.returncode == 0, r.stderr
    assert ctd.task(cid) == (None, None)
    assert not (root / cid).exists()
    r = ctd.ctr("container", "rm", cid)
    assert r.returncode == 0, r.stderr


def test_seccomp(ctd, rt):
    runtime, name = rt
    r = ctd.run(runtime, name("seccomp"), "sh", "-c",
                "grep -E '^(Seccomp|NoNewPrivs):' /proc/self/status; unshare -U true; echo rc=$?",
                opts=["--seccomp"])
    assert r.returncode == 0, r.stderr
    assert "Seccomp:\t2" in r.stdout
    assert "NoNewPrivs:\t1" in r.stdout
    assert "rc=0" not in r.stdout  # the default profile refuses unshare(CLONE_NEWUSER)


def test_cwd_env(ctd, rt):
    runtime, name = rt
    r = ctd.run(runtime, name("cwdenv"), "sh", "-c", 'pwd; echo "$FOO"; id -u',
                opts=["--cwd", "/tmp", "--env", "FOO=bar baz"])
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == ["/tmp", "bar baz", "0"]


def test_read_only(ctd, rt):
    runtime, name = rt
    r = ctd.run(runtime, name("ro"), "sh", "-c", "touch /x && echo wrote; touch /tmp/x; exit 0",
                opts=["--read-only"])
    assert r.returncode == 0, r.stderr
    assert "wrote" not in r.stdout
    assert "Read-only file system" in r.stderr


def test_bind_mounts(ctd, rt, tmp_path):
    runtime, name = rt
    (tmp_path / "in").write_text("from-host\n")
    rw = tmp_path / "rw"
    rw.mkdir()
    r = ctd.run(runtime, name("bind"), "sh", "-c",
                "cat /ro/in; touch /ro/y 2>/dev/null && echo ro-writable; echo c > /rw/out",
                opts=["--mount", f"type=bind,src={tmp_path},dst=/ro,options=rbind:ro",
                      "--mount", f"type=bind,src={rw},dst=/rw,options=rbind:rw"])
    assert r.returncode == 0, r.stderr
    assert r.stdout == "from-host\n"
    assert (rw / "out").read_text() == "c\n"


def test_net_host(ctd, rt):
    runtime, name = rt
    host = os.readlink("/proc/self/ns/net")
    r = ctd.run(runtime, name("nethost"), "readlink", "/proc/self/ns/net", opts=["--net-host"])
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == host
    r = ctd.run(runtime, name("netnew"), "readlink", "/proc/self/ns/net")
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() != host


def test_cpus_and_shares(ctd, rt):
    runtime, name = rt
    cid = name("cpus")
    pid = ctd.start(runtime, cid, "sleep", "1000", opts=["--cpus", "0.5", "--cpu-shares", "512"])
    cpu = host_cgroup_dir(pid, "cpu")
    assert int((cpu / "cpu.cfs_period_us").read_text()) == 100000
    assert int((cpu / "cpu.cfs_quota_us").read_text()) == 50000
    assert int((cpu / "cpu.shares").read_text()) == 512


def test_privileged_devices(ctd, rt):
    """--privileged: every host device in linux.devices, devices cgroup a=rwm."""
    runtime, name = rt
    r = ctd.run(runtime, name("priv"), "sh", "-c",
                "test -c /dev/null && ls /dev | wc -l && grep CapEff /proc/self/status",
                opts=["--privileged"])
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert int(lines[0]) > 10  # the host's devices, not the default six
    assert int(lines[1].split()[1], 16) & (1 << 21)  # CAP_SYS_ADMIN


def test_device_cgroup_default_rules(ctd, rt):
    """containerd's default spec denies all devices then allows 1:3, 1:5, ...:
    /dev/null opens, /dev/fuse (10:229, which host root opens) does not, even
    as a node the container made itself (CAP_MKNOD is in the default set)."""
    runtime, name = rt
    r = ctd.run(runtime, name("devcg"), "sh", "-c",
                "echo x > /dev/null && echo null-ok; mknod /tmp/fuse c 10 229 && echo made;"
                " (: < /tmp/fuse) && echo fuse-opened; exit 0")
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["null-ok", "made"], (r.stdout, r.stderr)
    assert "Operation not permitted" in r.stderr


def test_join_namespaces(ctd, rt):
    """--with-ns: a second container in the first one's net, ipc, uts and pid
    namespaces; when it exits the shim runs `kill --all` on it (a shared PID
    namespace) and the exit must still come through."""
    runtime, name = rt
    a = name("nsa")
    pid = ctd.start(runtime, a, "sleep", "1000")
    ns = {t: os.readlink(f"/proc/{pid}/ns/{t}") for t in ("net", "ipc", "uts", "pid")}
    opts = []
    for ctr_name, t in (("network", "net"), ("ipc", "ipc"), ("uts", "uts"), ("pid", "pid")):
        opts += ["--with-ns", f"{ctr_name}:/proc/{pid}/ns/{t}"]
    r = ctd.run(runtime, name("nsb"), "sh", "-c",
                "for t in net ipc uts pid; do readlink /proc/self/ns/$t; done;"
                " sleep 1000 & exit 6", opts=opts)
    assert r.returncode == 6, r.stderr
    assert r.stdout.split() == [ns[t] for t in ("net", "ipc", "uts", "pid")]


def test_cri_pod_lifecycle():
    if not shutil.which("crictl"):
        pytest.skip("crictl not installed (not packaged in Debian): the CRI pod "
                    "lifecycle runs only where it is")
    pytest.skip("crictl found, but the CRI pod lifecycle also needs a pause image, "
                "which no Debian package ships")
