"""Pool mode (core/lib/POOL.md): hull pool start|status|stop, hull run --pool.

Each test starts its own pool (unique name, its own cgroup parent when it
checks cgroups) and stops it, or kills it and runs `hull gc`, so nothing is
left whatever the outcome. Lifecycle, hostile cases and the stress run are
in test_pool_lifecycle.py, which shares this file's helpers and fixture."""
import json
import os
import signal
import socket
import struct
import subprocess
import time
import uuid
from pathlib import Path

import pytest
from hostutil import cgroup_mount_points

POOL_ROOT = Path("/run/hull/pool")
# Every hierarchy, not a guessed list: where cpu and cpuacct are mounted apart
# a missed one kept each test's parent behind.
CG_ROOTS = cgroup_mount_points()
TIMEOUT = 30


def alive(pid):
    """A process that exists and is not a zombie (init here does not reap
    every orphan)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, ProcessLookupError):
        return False


def wait_for(cond, timeout=TIMEOUT, what="condition"):
    """Poll cond (a state, not a timing) until it holds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def cg_children(parent):
    out = []
    for root in CG_ROOTS:
        d = Path(root) / parent
        if d.is_dir():
            out += [p for p in d.iterdir() if p.is_dir()]
    return out


def mounts():
    """Host mounts a pool could have made: at the rootfs, or under /run/hull
    (the rest of the table moves with other work on a shared host)."""
    repo = Path(__file__).resolve().parents[2]
    build = str(Path(os.environ.get("HULL_BUILD", repo / "build")).resolve())
    with open("/proc/self/mountinfo") as f:
        points = [line.split(" - ")[0].split()[4] for line in f]
    return sorted(m for m in points if m.startswith(("/run/hull", build)))


class Pool:
    def __init__(self, hull, name, cg_parent):
        self.hull, self.name, self.cg_parent = hull, name, cg_parent

    def run(self, *cmd, opts=(), timeout=TIMEOUT, **kw):
        kw.setdefault("capture_output", True)
        kw.setdefault("text", True)
        return subprocess.run([self.hull, "run", "--pool", self.name, *opts, "--", *cmd],
                              timeout=timeout, **kw)

    def status(self):
        r = subprocess.run([self.hull, "pool", "status", self.name, "--json"],
                           capture_output=True, text=True, timeout=TIMEOUT)
        assert r.returncode == 0, r.stderr
        return json.loads(r.stdout)

    def stop(self):
        return subprocess.run([self.hull, "pool", "stop", self.name],
                              capture_output=True, text=True, timeout=60)


@pytest.fixture
def pool(hull, rootfs):
    """pool(*options, size=2) -> Pool started on the default rootfs with its
    own cgroup parent; stopped (or killed and collected) at teardown."""
    made = []

    def _pool(*opts, size=2, root=None, check=True, preexec_fn=None):
        name = "t" + uuid.uuid4().hex[:10]
        parent = "hull-pooltest-" + name
        p = Pool(hull, name, parent)
        made.append(p)
        r = subprocess.run([hull, "pool", "start", name, "--size", str(size),
                            "--cgroup-parent", parent, *opts, root or rootfs],
                           capture_output=True, text=True, timeout=90,
                           preexec_fn=preexec_fn)
        p.start_result = r
        if check:
            assert r.returncode == 0, r.stderr
        return p

    yield _pool
    for p in made:
        if (POOL_ROOT / p.name).exists():
            r = p.stop()
            if r.returncode != 0:
                try:
                    owner = (POOL_ROOT / p.name / "owner").read_text()
                    os.kill(int(owner.split("-")[0]), signal.SIGKILL)
                except (OSError, ValueError):
                    pass
        subprocess.run([hull, "gc", "--cgroup-parent", p.cg_parent],
                       capture_output=True, timeout=60)
        for root in CG_ROOTS:
            d = Path(root) / p.cg_parent
            if d.is_dir():
                for child in d.iterdir():
                    if child.is_dir():
                        child.rmdir()
                d.rmdir()


# ---- what a run gets ------------------------------------------------------

def test_exit_status_stdio_env_cwd(pool):
    p = pool()
    r = p.run("sh", "-c", 'read x; echo "out:$x:$FOO:$(pwd)"; echo oops >&2; exit 7',
              opts=["--env", "FOO=bar", "--cwd", "/tmp"], input="hello\n")
    assert r.returncode == 7
    assert r.stdout == "out:hello:bar:/tmp\n"
    assert r.stderr == "oops\n"
    # --pool after options with arguments is still a pool run.
    r = subprocess.run([p.hull, "run", "--env", "A=1", "--cwd", "/etc", "--pool", p.name, "-v",
                        "--", "sh", "-c", 'echo "$A $(pwd)"'], capture_output=True, text=True,
                       timeout=TIMEOUT)
    assert (r.returncode, r.stdout) == (0, "1 /etc\n"), r.stderr
    assert "ran in a slot of pool" in r.stderr
    # The pool's own settings hold in the slot: its hostname, no caps.
    r = p.run("sh", "-c", "hostname; grep CapEff /proc/self/status; echo $PATH")
    assert r.returncode == 0, r.stderr
    host, caps, path = r.stdout.splitlines()
    assert host == "hull"
    assert caps.split()[1] != "000001ffffffffff"
    assert "/bin" in path


def test_closed_stdin_is_dev_null(pool):
    p = pool(size=1)
    r = p.run("sh", "-c", "cat; echo ok", preexec_fn=lambda: os.close(0))
    assert (r.returncode, r.stdout) == (0, "ok\n"), r.stderr


def test_command_errors_as_hull_run(pool):
    p = pool(size=1)
    r = p.run("no-such-command")
    assert r.returncode == 127
    assert r.stderr.startswith("hull: cannot execute 'no-such-command'")
    assert len(r.stderr.splitlines()) == 1
    r = p.run("/etc")
    assert r.returncode == 126
    r = p.run("sh", "-c", "exit 201")
    assert r.returncode == 201


def test_a_request_the_slot_cannot_serve_is_the_clients_error(pool):
    """The slot fails on the request itself (its cwd is missing), before any
    exec: the client gets that error from the keeper, which takes the
    connection only then, and it is not a failed refill (no back-off, the
    pool serves on)."""
    p = pool(size=1)
    r = p.run("true", opts=["--cwd", "/no-such-dir"])
    assert r.returncode == 125, r
    assert r.stderr == ("hull: cannot change to working directory '/no-such-dir': "
                        "No such file or directory\n")
    wait_for(lambda: p.status()["ready"] == 1, what="the next slot")
    assert p.status()["failures"] == 0
    assert p.run("sh", "-c", "exit 5").returncode == 5


def test_refill_goes_on_while_a_command_runs(pool, hull, spawn):
    """Right after a hand-over the refill holds back while half the pool is
    ready (the command's exec would compete with it), but only for a
    moment: nobody reports the exec, so the supervisor must wake up by
    itself and refill while the command still runs."""
    p = pool(size=2)
    sup = p.status()["pid"]
    proc = spawn([hull, "run", "--pool", p.name, "--", "sh", "-c", "echo ready; exec sleep 1000"],
                 stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline() == "ready\n"
    # Watched in /proc: a status request would wake the supervisor itself.
    wait_for(lambda: len(slot_processes(sup)) == 3, what="a slot prepared while the command runs")
    assert proc.poll() is None
    # The refill has begun by itself; its slot may still be starting (a
    # status request from now on cannot have started it).
    wait_for(lambda: (lambda st: (st["busy"], st["ready"]))(p.status()) == (1, 2),
             what="the slot prepared while the command runs to be ready")
    assert proc.poll() is None
    proc.kill()
    proc.wait(timeout=TIMEOUT)


def test_keepers_of_a_burst_wait_idle_then_go(pool, hull, spawn):
    """While commands still run, the keepers of finished ones wait idle for
    the next slots (as many as run, beyond the pool's size: no fork for the
    next request); once all have ended, only the pool's size of them stays."""
    p = pool(size=1)
    cmd = [hull, "run", "--pool", p.name, "--wait", "--", "sh", "-c", "echo ready; head -c1"]
    procs = [spawn(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
             for _ in range(3)]
    for proc in procs:
        assert proc.stdout.readline() == "ready\n"

    def finish(proc):
        proc.stdin.write("x")
        proc.stdin.close()
        assert proc.wait(timeout=TIMEOUT) == 0

    finish(procs[0])
    finish(procs[1])
    wait_for(lambda: (lambda st: (st["busy"], st["idle_keepers"]) == (1, 2))(p.status()),
             what="two keepers idle while one command runs")
    finish(procs[2])
    wait_for(lambda: (lambda st: (st["busy"], st["idle_keepers"]) == (0, 1))(p.status()),
             what="the pool's size of idle keepers once every run is over")


def slot_processes(sup):
    """The containers (ready, preparing or running) of the supervisor sup's keepers."""
    out = []
    for keeper in Path(f"/proc/{sup}/task/{sup}/children").read_text().split():
        try:
            out += Path(f"/proc/{keeper}/task/{keeper}/children").read_text().split()
        except FileNotFoundError:
            pass
    return out


def keepers_and_slots(p):
    """(keeper, slot) for every keeper with a slot (the ready ones, once
    the pool is full)."""
    sup = p.status()["pid"]
    out = []
    for keeper in Path(f"/proc/{sup}/task/{sup}/children").read_text().split():
        try:
            kids = Path(f"/proc/{keeper}/task/{keeper}/children").read_text().split()
        except FileNotFoundError:
            continue
        out += [(int(keeper), int(k)) for k in kids]
    return out


def commands_in_slots(p):
    """The commands of the pool's busy slots (children of its keepers)."""
    out = []
    for _, kid in keepers_and_slots(p):
        try:
            out.append(Path(f"/proc/{kid}/cmdline").read_text().split("\0")[0])
        except FileNotFoundError:
            pass
    return out


def test_signals_reach_the_command(pool, hull, spawn):
    p = pool(size=1)
    for sig in (signal.SIGTERM, signal.SIGINT):
        proc = spawn([hull, "run", "--pool", p.name, "--wait", "--", "sh", "-c",
                      "echo ready; exec sleep 100"], stdout=subprocess.PIPE, text=True)
        assert proc.stdout.readline() == "ready\n"
        # `sh -c` catches SIGINT until it has exec'd sleep: signal sleep.
        wait_for(lambda: "sleep" in commands_in_slots(p), what="sleep to run in the slot")
        proc.send_signal(sig)
        assert proc.wait(timeout=TIMEOUT) == 128 + sig
    # A command that handles the signal gets it as sent.
    proc = spawn([hull, "run", "--pool", p.name, "--", "sh", "-c",
                  "trap 'echo got-usr1; exit 3' USR1; echo ready; while :; do sleep 0.05; done"],
                 stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline() == "ready\n"
    proc.send_signal(signal.SIGUSR1)
    assert proc.wait(timeout=TIMEOUT) == 3
    assert proc.stdout.read() == "got-usr1\n"


# The wire format of pool_proto.h: struct hull_pool_hdr, message types.
POOL_HDR = struct.Struct("=IHHiIIIQQ")
POOL_MAGIC, POOL_RUN, POOL_EXIT, POOL_SIGNAL, POOL_WAIT = 0x6C6C7568, 1, 5, 17, 0x1


def test_client_hears_only_the_exit_status_and_signals_go_on_the_connection(pool):
    """The client's connection carries one message back, the exit status
    (no "started" wakes it), and the client's signals go the other way as
    SIGNAL records: one sent right behind the request waits there until
    the command runs, and is then forwarded as hull run forwards it (pid 1
    without a handler: SIGKILL, 128+N)."""
    p = pool(size=1)
    null = os.open("/dev/null", os.O_RDWR)
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    try:
        s.settimeout(TIMEOUT)
        s.connect(str(POOL_ROOT / p.name / "sock"))
        argv = [b"sleep", b"100"]
        request = POOL_HDR.pack(POOL_MAGIC, POOL_RUN, 3, 0, POOL_WAIT, len(argv), 0, 0, 0)
        request += b"\0" + b"".join(a + b"\0" for a in argv)
        s.sendmsg([request], [(socket.SOL_SOCKET, socket.SCM_RIGHTS,
                               struct.pack("3i", null, null, null))])
        s.send(POOL_HDR.pack(POOL_MAGIC, POOL_SIGNAL, 0, signal.SIGTERM, 0, 0, 0, 0, 0))
        msg, anc, _, _ = s.recvmsg(4096, socket.CMSG_SPACE(4 * struct.calcsize("i")))
        for level, kind, data in anc:
            if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                for fd in struct.unpack(f"{len(data) // 4}i", data[:len(data) // 4 * 4]):
                    os.close(fd)
        _, kind, _, value = POOL_HDR.unpack(msg[:POOL_HDR.size])[:4]
        assert (kind, value) == (POOL_EXIT, 128 + signal.SIGTERM)
        assert s.recv(4096) == b""  # nothing after it: the keeper let go
    finally:
        s.close()
        os.close(null)


def test_timeout_is_honoured(pool):
    p = pool(size=1)
    r = p.run("sleep", "100", opts=["--timeout", "0.3", "--kill-after", "0.3"])
    assert r.returncode == 124


def test_client_killed_kills_its_container(pool, hull, spawn):
    p = pool(size=1)
    proc = spawn([hull, "run", "--pool", p.name, "--", "sh", "-c", "echo ready; exec sleep 1000"],
                 stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline() == "ready\n"
    wait_for(lambda: p.status()["busy"] == 1, what="the slot to be busy")
    proc.kill()
    proc.wait(timeout=TIMEOUT)
    wait_for(lambda: p.status()["busy"] == 0, what="the container of a killed client to end")
    wait_for(lambda: p.status()["ready"] == 1, what="the refill")


def traced(before, after):
    """Run before + [write end of a pipe] + after; (result, trace marks)."""
    r_fd, w_fd = os.pipe()
    try:
        r = subprocess.run([*before, str(w_fd), *after], capture_output=True, text=True,
                           timeout=TIMEOUT, pass_fds=(w_fd,))
        os.close(w_fd)
        w_fd = -1
        with os.fdopen(r_fd) as f:
            return r, [json.loads(line) for line in f]
    finally:
        if w_fd >= 0:
            os.close(w_fd)


def test_trace_marks_the_request_path(pool, hull):
    """--trace-fd: the client's phases and, through the fd the request
    carries, the slot's (it holds the fd close-on-exec: the command does
    not get it)."""
    p = pool(size=1)
    r_fd, w_fd = os.pipe()
    try:
        r = subprocess.run([hull, "run", "--pool", p.name, "--trace-fd", str(w_fd), "--",
                            "hull-probe"], capture_output=True, text=True, timeout=TIMEOUT,
                           pass_fds=(w_fd,))
        os.close(w_fd)
        w_fd = -1
        with os.fdopen(r_fd) as f:
            marks = [json.loads(line) for line in f]
    finally:
        if w_fd >= 0:
            os.close(w_fd)
    assert r.returncode == 0, r.stderr
    client = ["start", "parsed", "connected", "request_sent", "exited"]
    slot = ["slot_woken", "request_read", "exec"]
    # Each process's marks in order (the two clocks are not compared: on
    # this VM CLOCK_MONOTONIC read on two vCPUs was seen milliseconds apart).
    for side in (client, slot):
        mine = [m for m in marks if m["phase"] in side]
        assert [m["phase"] for m in mine] == side, marks
        assert all(mine[i]["t_ns"] <= mine[i + 1]["t_ns"] for i in range(len(mine) - 1))
    assert len(marks) == len(client) + len(slot), marks
    probe = json.loads(r.stdout)
    assert probe["pid"] == 1
    assert probe["fds"] == [0, 1, 2]


# ---- isolation between two requests ----------------------------------------

TRACES = ["file", "shm", "mqueue", "unix_abstract", "unix_path", "tcp", "hostname", "process"]


@pytest.mark.parametrize("size", [1, 2])
def test_nothing_of_one_request_reaches_the_next(pool, rootfs, size):
    # CAP_SYS_ADMIN so that the hostname change of A really happens.
    p = pool("--cap-add", "SYS_ADMIN", size=size)
    a = p.run("hull-tenant", "leave")
    assert a.returncode == 0, a.stderr
    assert a.stdout.splitlines() == [f"{t} ok" for t in TRACES]
    for _ in range(2 * size):  # whichever slot comes next, also the refilled ones
        b = p.run("hull-tenant", "look")
        assert b.returncode == 0, b.stderr
        assert b.stdout.splitlines() == [f"{t} clean" for t in TRACES]
    # The shared rootfs was never written.
    assert not (Path(rootfs) / "tmp" / "hull-tenant-file").exists()
    assert not (Path(rootfs) / "tmp" / "hull-tenant.sock").exists()


def test_a_keeper_prepares_one_fresh_slot_after_another(pool):
    """A keeper whose run is over prepares the pool's next slot (no fork):
    that slot is a new container all the same, and nothing of the run
    before reaches it. Size 1: request A ends on keeper 1, which waits
    idle; B takes keeper 2's slot, keeper 1 prepares the next; C runs in
    it."""
    p = pool("--cap-add", "SYS_ADMIN", size=1)
    a = p.run("hull-tenant", "leave")
    assert a.returncode == 0, a.stderr
    wait_for(lambda: (lambda st: (st["idle_keepers"], st["ready"]) == (1, 1))(p.status()),
             what="keeper 1 idle and keeper 2's slot ready")
    assert p.status()["reused"] == 0
    for _ in range(2):
        b = p.run("hull-tenant", "look")
        assert b.returncode == 0, b.stderr
        assert b.stdout.splitlines() == [f"{t} clean" for t in TRACES]
        wait_for(lambda: p.status()["ready"] == 1, what="the next slot")
    assert p.status()["reused"] >= 1


def test_ephemeral_normal_start_leaves_rootfs_untouched(run, rootfs):
    r = run("--ephemeral", "ROOTFS", "sh", "-c", "echo x > /etc/hull-eph && cat /etc/hull-eph")
    assert r.returncode == 0, r.stderr
    assert r.stdout == "x\n"
    assert not (Path(rootfs) / "etc" / "hull-eph").exists()


def test_probe_sees_the_same_isolation_as_a_normal_start(pool, run):
    """The probe's view through a pool slot equals a normal (ephemeral)
    start's, except what differs per container by nature (namespace
    inodes, which must differ from the host's; mount ids; times)."""
    p = pool(size=1)
    via_pool = p.run("hull-probe")
    normal = run("--ephemeral", "ROOTFS", "hull-probe")
    assert via_pool.returncode == 0 and normal.returncode == 0, via_pool.stderr + normal.stderr
    a, b = json.loads(via_pool.stdout), json.loads(normal.stdout)

    def view(o):
        v = {k: o[k] for k in ("pid", "ppid", "uid", "gid", "euid", "egid", "hostname",
                               "domainname", "proc", "ifaces", "uid_map", "gid_map", "setgroups",
                               "cgroup", "timens_offsets", "fds", "caps", "escape")}
        v["root"] = sorted(o["root"]["entries"]), o["root"]["rootfs_marker"]
        # Sorted: mountinfo lists mounts in the order they were made, and
        # hull makes /dev beside its child's own mounts (core/README.md).
        v["mounts"] = sorted((m["mnt"], m["fs"], m["opt"]) for m in o["mounts"]["list"])
        return v

    assert view(a) == view(b)
    for ns in ("mnt", "uts", "pid", "ipc", "net"):
        host = os.stat(f"/proc/self/ns/{ns}").st_ino
        assert a["ns"][ns]["ino"] != host, ns


@pytest.mark.parametrize("args", [[], ["--ns", "all"], ["--ns", "mnt,pid"], ["--shared-rootfs"]],
                         ids=["default", "all", "mnt-pid", "shared-rootfs"])
def test_harness_isolate_in_pool_mode_gives_hulls_verdicts(harness, args):
    """hull-harness isolate -r hull-pool (a pool started by the harness
    with the config's namespaces, stopped after) against -r hull."""
    verdicts = {}
    for runtime in ("hull", "hull-pool"):
        p = subprocess.Popen([harness, "isolate", "--json", "-r", runtime, *args],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            stdout, stderr = p.communicate(timeout=120)
        finally:
            p.kill()
            p.wait()
        assert p.returncode == 0, stdout + stderr
        out = json.loads(stdout)
        assert out["started"], out
        verdicts[runtime] = {k: v["verdict"] for k, v in out["properties"].items()}
        # The pool the harness started (hh-<its pid>-N) is gone again.
        left = [d.name for d in POOL_ROOT.iterdir()
                if d.name.startswith(f"hh-{p.pid}-")] if POOL_ROOT.exists() else []
        assert left == []
    assert verdicts["hull-pool"] == verdicts["hull"]
