"""Pool mode (core/lib/POOL.md): hull pool start|status|stop, hull run --pool.

Each test starts its own pool (unique name, its own cgroup parent when it
checks cgroups) and stops it, or kills it and runs `hull gc`, so nothing is
left whatever the outcome. The long stress run is behind HULL_POOL_STRESS=1
(make pool-stress); a short form runs here."""
import json
import os
import random
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
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


def commands_in_slots(p):
    """The commands of the pool's busy slots (children of its keepers)."""
    sup = p.status()["pid"]
    out = []
    for keeper in Path(f"/proc/{sup}/task/{sup}/children").read_text().split():
        try:
            kids = Path(f"/proc/{keeper}/task/{keeper}/children").read_text().split()
        except FileNotFoundError:
            continue
        for kid in kids:
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
    client = ["start", "parsed", "connected", "request_sent", "started", "exited"]
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


# ---- lifecycle and leftovers -----------------------------------------------

def test_status_and_stop_leave_nothing(pool):
    before = mounts()
    p = pool("--memory", "64m", "--pids", "64", size=3)
    st = p.status()
    assert (st["size"], st["ready"], st["busy"]) == (3, 3, 0)
    assert st["idle_slot_pss_kib"] > 0
    sup = st["pid"]
    assert len(cg_children(p.cg_parent)) >= 3  # one cgroup per slot (v1: per controller)
    assert p.run("true").returncode == 0
    assert p.status()["served"] == 1
    r = p.stop()
    assert r.returncode == 0, r.stderr
    assert not (POOL_ROOT / p.name).exists()
    wait_for(lambda: not alive(sup), what="the supervisor to end")
    assert cg_children(p.cg_parent) == []
    assert mounts() == before
    r = p.run("true")
    assert r.returncode == 125 and r.stderr == f"hull: unknown pool '{p.name}'\n"


def backlog(p):
    """Connections waiting in the listen queue of the pool's socket (ss:
    Recv-Q of a listening socket)."""
    r = subprocess.run(["ss", "-xlH", "src", str(POOL_ROOT / p.name / "sock")],
                       capture_output=True, text=True, timeout=TIMEOUT)
    fields = r.stdout.split()
    return int(fields[2]) if r.returncode == 0 and len(fields) > 2 else -1


FRESH = "test ! -e /tmp/used && touch /tmp/used && echo fresh-$TOKEN"


def test_drained_pool_prepares_a_slot_for_each_request(pool, hull):
    """A pool of one slot, six requests without --wait at once (they queue
    up in the socket's backlog while the supervisor is stopped): the first
    takes the ready slot, every other one gets a slot prepared for it (not
    a normal start, not a reused slot), -v says which; status counts them;
    nothing is left once the pool stops."""
    if not shutil.which("ss"):
        pytest.skip("ss (iproute2) is needed to see the pool's listen queue")
    before = mounts()
    p = pool("--memory", "64m", size=1)
    sup = p.status()["pid"]
    n = 6
    os.kill(sup, signal.SIGSTOP)
    try:
        procs = [subprocess.Popen([hull, "run", "--pool", p.name, "-v", "--env", f"TOKEN={i}",
                                   "--", "sh", "-c", FRESH],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for i in range(n)]
        wait_for(lambda: backlog(p) == n, what="every request in the listen queue")
    finally:
        os.kill(sup, signal.SIGCONT)
    ready = f"hull: ran in a slot of pool '{p.name}'\n"
    queued = f"hull: pool '{p.name}' had no slot ready: ran in a slot prepared for the request\n"
    stderrs = []
    for i, proc in enumerate(procs):
        out, err = proc.communicate(timeout=TIMEOUT)
        assert (proc.returncode, out) == (0, f"fresh-{i}\n"), err
        assert err in (ready, queued), err
        stderrs.append(err)
    st = p.status()
    assert (st["served"], st["sent_back"]) == (n, 0), st
    assert st["served_ready"] == stderrs.count(ready) >= 1, st
    assert st["served_queued"] == stderrs.count(queued) >= 1, st
    # The pool grew for the queue, then is back to its size of ready slots.
    # (the refill may still be preparing it when the last slot ends)
    wait_for(lambda: p.status()["busy"] == 0, what="every slot to end")
    wait_for(lambda: p.status()["ready"] >= 1, what="the pool refilled to its size")
    assert p.stop().returncode == 0
    wait_for(lambda: not alive(sup), what="the supervisor to end")
    assert cg_children(p.cg_parent) == []
    assert mounts() == before
    assert not (POOL_ROOT / p.name).exists()


def test_killed_supervisor_is_collected_by_gc(pool, hull):
    p = pool("--memory", "64m", size=2)
    # A served request leaves its keeper idle, waiting to prepare the next
    # slot -- unless the refill took that very keeper for it (it asks an
    # idle keeper before it forks one). Which happens is a race, so serve
    # requests until the pool settles with one idle.
    for _ in range(20):
        assert p.run("true").returncode == 0
        wait_for(lambda: (lambda st: (st["ready"], st["starting"], st["busy"]) == (2, 0, 0))(
            p.status()), what="the pool to refill")
        if p.status()["idle_keepers"] == 1:
            break
    else:
        pytest.fail("20 served requests never left a keeper idle")
    sup = p.status()["pid"]
    keepers = Path(f"/proc/{sup}/task/{sup}/children").read_text().split()
    assert len(keepers) == 3  # two with a ready slot, one idle
    os.kill(sup, signal.SIGKILL)
    wait_for(lambda: not alive(sup), what="the supervisor to die")
    # Idle keepers see their supervisor go and clean up their slots.
    wait_for(lambda: cg_children(p.cg_parent) == [], what="the slots' cgroups to go")
    wait_for(lambda: not any(alive(int(k)) for k in keepers), what="every keeper to end")
    # Only `hull gc` removes the state: ours below, or another one running
    # on this shared host at the same time.
    r = p.run("true")
    assert r.returncode == 125
    assert "is not running" in r.stderr or "unknown pool" in r.stderr, r.stderr
    existed = (POOL_ROOT / p.name).exists()
    r = subprocess.run([hull, "gc", "--cgroup-parent", p.cg_parent], capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert not (POOL_ROOT / p.name).exists()
    if existed and "removed the state of" not in r.stdout:
        print("the pool's state was collected by a concurrent hull gc")


def test_gc_leaves_a_directory_it_cannot_prove_is_hulls(hull):
    """An owner file naming a dead process is not enough: without hull's
    xattr marker on the directory (cgroup_owner.h) gc leaves it alone."""
    name = "t" + uuid.uuid4().hex[:10]
    d = POOL_ROOT / name
    d.mkdir(parents=True)
    try:
        (d / "owner").write_text("999999999-1\n")
        r = subprocess.run([hull, "gc"], capture_output=True, text=True, timeout=60)
        assert r.returncode == 0, r.stderr
        assert (d / "owner").exists()
    finally:
        shutil.rmtree(d)


def test_killed_keeper_cgroup_is_collected_by_gc(pool, hull):
    p = pool("--memory", "64m", size=1)
    # A keeper is the supervisor's child; its cgroup carries its name.
    sup = p.status()["pid"]
    kids = [int(t) for t in Path(f"/proc/{sup}/task/{sup}/children").read_text().split()]
    assert len(kids) == 1
    p.stop_kid = kids[0]
    os.kill(kids[0], signal.SIGKILL)
    wait_for(lambda: p.status()["ready"] == 1 and p.status()["starting"] == 0,
             what="the refill after a killed keeper")
    r = subprocess.run([hull, "gc", "--cgroup-parent", p.cg_parent], capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    # What is left is exactly the one live slot's cgroup (per hierarchy).
    names = {c.name for c in cg_children(p.cg_parent)}
    assert len(names) == 1 and not names & {f"{kids[0]}-"}
    assert not any(n.startswith(f"{kids[0]}-") for n in names)


# ---- bad input --------------------------------------------------------------

def test_unknown_pool(hull):
    r = subprocess.run([hull, "run", "--pool", "no-such-pool", "--", "true"],
                       capture_output=True, text=True, timeout=TIMEOUT)
    assert r.returncode == 125
    assert r.stderr == "hull: unknown pool 'no-such-pool'\n"
    r = subprocess.run([hull, "pool", "status", "no-such-pool"], capture_output=True, text=True,
                       timeout=TIMEOUT)
    assert r.returncode == 125 and r.stderr == "hull: unknown pool 'no-such-pool'\n"
    r = subprocess.run([hull, "run", "--pool", "../x", "--", "true"], capture_output=True,
                       text=True, timeout=TIMEOUT)
    assert r.returncode == 125 and "invalid pool name '../x'" in r.stderr


@pytest.mark.parametrize("opt", [["--memory", "64m"], ["--ns", "mnt,pid"], ["--hostname", "x"],
                                 ["--user", "1000"], ["--cap-add", "SYS_ADMIN"], ["--read-only"],
                                 ["--init"], ["--seccomp", "off"]])
def test_options_a_slot_cannot_honour(pool, opt):
    p = pool(size=1)
    r = p.run("true", opts=opt)
    assert r.returncode == 125
    assert r.stderr == (f"hull: option '{opt[0]}' cannot be honoured by a prepared slot: "
                        "set it with 'hull pool start'\n")
    assert p.status()["ready"] == 1  # no slot was used


@pytest.mark.parametrize("opts,msg", [
    (["--ns", "uts,ipc,net"], "a pool needs the mnt and pid namespaces"),
    (["--chroot"], "a pool needs pivot_root"),
    (["--spawn", "fork"], "a pool prepares slots with clone3 only"),
])
def test_pool_start_refuses_what_cannot_isolate(pool, opts, msg):
    p = pool(*opts, check=False)
    r = p.start_result
    assert r.returncode == 125
    assert r.stderr.startswith(f"hull: {msg}") and len(r.stderr.splitlines()) == 1
    assert not (POOL_ROOT / p.name).exists()


def test_pool_start_twice(pool, hull, rootfs):
    p = pool(size=1)
    r = subprocess.run([hull, "pool", "start", p.name, rootfs], capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 125
    assert r.stderr == f"hull: cannot start pool '{p.name}': pool '{p.name}' is already running: File exists\n"
    assert p.status()["ready"] == 1


def test_pool_of_another_user(pool, hull):
    p = pool(size=1)
    tmp = tempfile.mkdtemp()
    try:
        os.chmod(tmp, 0o755)
        h = os.path.join(tmp, "hull")
        shutil.copy(hull, h)
        os.chmod(h, 0o755)
        setpriv = shutil.which("setpriv")
        if not setpriv:
            pytest.skip("setpriv (util-linux) is not installed")
        r = subprocess.run([setpriv, "--reuid", "65534", "--regid", "65534", "--clear-groups",
                            h, "run", "--pool", p.name, "--", "true"],
                           capture_output=True, text=True, timeout=TIMEOUT)
        assert r.returncode == 125
        assert r.stderr == f"hull: cannot use pool '{p.name}': it belongs to uid 0: Permission denied\n"
    finally:
        shutil.rmtree(tmp)
    assert p.status()["ready"] == 1


def test_another_user_is_told_whose_pool_on_a_fresh_run(hull, rootfs, tmp_path):
    """On a fresh machine whichever verb comes first makes /run/hull: a
    network lease (/run/hull/net, private) made it 0700 and another user
    could no longer be told whose a pool is, so test_pool_of_another_user
    depended on the test order. Here, in a mount + net namespace of the
    test's own with an empty /run: a --network veth run first, then a pool,
    then another user's client."""
    from test_pool_full_disk import Namespace
    setpriv = shutil.which("setpriv")
    if not setpriv or not shutil.which("nsenter") or not shutil.which("unshare"):
        pytest.skip("setpriv, nsenter and unshare (util-linux) are needed")
    ns = Namespace()
    name = "fresh" + uuid.uuid4().hex[:8]
    parent = "hull-pooltest-" + name
    try:
        run_dir = tmp_path / "run"
        run_dir.mkdir()
        r = ns.run("sh", "-c", f"mount -t tmpfs -o size=1m,mode=0755 hull-fresh-run {run_dir}"
                   f" && mount --bind {run_dir} /run")
        assert r.returncode == 0, r.stderr
        r = ns.run(hull, "run", "--network", "veth", rootfs, "true")
        assert r.returncode == 0, r.stderr
        assert ns.run("stat", "-c", "%a", "/run/hull").stdout == "755\n"
        r = ns.run(hull, "pool", "start", name, "--size", "1", "--cgroup-parent", parent,
                   rootfs, timeout=90)
        assert r.returncode == 0, r.stderr
        os.chmod(tmp_path, 0o755)  # the copy of hull another user runs
        h = tmp_path / "hull"
        shutil.copy(hull, h)
        os.chmod(h, 0o755)
        r = ns.run(setpriv, "--reuid", "65534", "--regid", "65534", "--clear-groups",
                   str(h), "run", "--pool", name, "--", "true")
        assert r.returncode == 125
        assert r.stderr == f"hull: cannot use pool '{name}': it belongs to uid 0: Permission denied\n"
    finally:
        ns.run(hull, "pool", "stop", name, timeout=60)
        ns.close()


def test_refill_failure_empty_pool_wait_and_fallback(pool, hull, spawn):
    """The supervisor runs in a cgroup whose pids limit fits it and two
    slots (keeper + container each): both get taken, the refill fails, the
    pool is empty. --no-fallback says so, the fallback is a normal start,
    --wait waits until a slot is back."""
    sup_cg = Path("/sys/fs/cgroup/pids") / ("hull-pooltest-sup-" + uuid.uuid4().hex[:8])
    if not Path("/sys/fs/cgroup/pids/cgroup.procs").exists():
        pytest.skip("no v1 pids hierarchy")
    sup_cg.mkdir()
    holders, p = [], None
    try:
        (sup_cg / "pids.max").write_text("5\n")
        procs = str(sup_cg / "cgroup.procs")

        def enter():
            with open(procs, "w") as f:
                f.write("0")

        p = pool(size=1, preexec_fn=enter)
        for _ in range(2):
            proc = spawn([hull, "run", "--pool", p.name, "--wait", "--", "sh", "-c",
                          "echo ready; read x"],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
            assert proc.stdout.readline() == "ready\n"
            holders.append(proc)
        wait_for(lambda: p.status()["failures"] > 0, what="a failed refill")
        st = p.status()
        assert st["ready"] == 0 and st["busy"] == 2, st
        assert st["last_error"] and "\n" not in st["last_error"]
        r = p.run("true", opts=["--no-fallback"])
        assert r.returncode == 125 and r.stderr == f"hull: no slot ready in pool '{p.name}'\n"
        r = p.run("sh", "-c", "echo normal; exit 4", opts=["-v"])
        assert r.stderr == f"hull: pool '{p.name}' has no slot ready: starting normally\n"
        assert (r.returncode, r.stdout) == (4, "normal\n")
        # The fallback's trace has each phase once: the pool's attempt
        # writes nothing (hull-pool-run hands over to hull, which asks the
        # pool again), the normal start marks its own, from the client's
        # start on.
        clients = [[hull, "run"]]
        sibling = Path(hull).parent / "hull-pool-run"
        if sibling.exists():
            clients.append([str(sibling)])
        for client in clients:
            r, marks = traced([*client, "--pool", p.name, "--trace-fd"], ["--", "true"])
            assert r.returncode == 0, r.stderr
            phases = [m["phase"] for m in marks]
            assert len(phases) == len(set(phases)), phases
            assert {"start", "parsed", "cloned", "exited"} <= set(phases), phases
            assert "connected" not in phases and "slot_woken" not in phases, phases
            assert marks[0]["phase"] == "start" and \
                all(marks[0]["t_ns"] <= m["t_ns"] for m in marks), marks
        waiter = spawn([hull, "run", "--pool", p.name, "--wait", "-v", "--", "echo", "waited"],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for proc in holders:
            proc.stdin.write("x\n")
            proc.stdin.flush()
            assert proc.wait(timeout=TIMEOUT) == 0
        assert waiter.wait(timeout=TIMEOUT) == 0
        assert waiter.stdout.read() == "waited\n"
        assert waiter.stderr.read() == f"hull: ran in a slot of pool '{p.name}'\n"
        assert p.stop().returncode == 0
    finally:
        for proc in holders:
            proc.kill()
            proc.wait(timeout=TIMEOUT)
        if p and (POOL_ROOT / p.name).exists():
            p.stop()
        wait_for(lambda: not [pid for pid in (sup_cg / "cgroup.procs").read_text().split()
                              if alive(int(pid))], what="the pool's processes to end")
        sup_cg.rmdir()


# ---- stress -----------------------------------------------------------------

def stress(pool, hull, runs, parallel, kill_share):
    before = mounts()
    p = pool("--memory", "64m", size=4)
    sup = p.status()["pid"]
    rng = random.Random(1)
    # Each run proves its slot was fresh: the file must not exist yet.
    script = FRESH

    def one(i):
        token = f"{i}"
        # Half wait for a slot, half are queued for one prepared on demand
        # (or start normally if the pool cannot prepare one).
        wait = ["--wait"] if i % 2 else []
        proc = subprocess.Popen([hull, "run", "--pool", p.name, *wait, "--env",
                                 f"TOKEN={token}", "--", "sh", "-c", script],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                start_new_session=True)
        killed = rng.random() < kill_share
        if killed:
            time.sleep(rng.random() * 0.02)  # a random moment, not a synchronisation
            proc.kill()
        out, err = proc.communicate(timeout=TIMEOUT)
        return i, killed, proc.returncode, out, err

    with ThreadPoolExecutor(parallel) as ex:
        results = list(ex.map(one, range(runs)))
    for i, killed, rc, out, err in results:
        if killed and rc == -signal.SIGKILL:
            continue
        assert (rc, out) == (0, f"fresh-{i}\n"), err
    assert sum(1 for r in results if not r[1]) > 0
    wait_for(lambda: p.status()["busy"] == 0, what="every slot to end")
    assert p.stop().returncode == 0
    wait_for(lambda: not alive(sup), what="the supervisor to end")
    assert cg_children(p.cg_parent) == []
    assert mounts() == before
    assert not (POOL_ROOT / p.name).exists()


def test_stress_short(pool, hull):
    stress(pool, hull, runs=60, parallel=4, kill_share=0.2)


@pytest.mark.skipif(os.environ.get("HULL_POOL_STRESS") != "1",
                    reason="long: HULL_POOL_STRESS=1 (make pool-stress)")
def test_stress_full(pool, hull):
    stress(pool, hull, runs=2000, parallel=16, kill_share=0.1)
