"""Pool mode, lifecycle and hostile cases (core/lib/POOL.md): status and
stop leave nothing, a drained pool, killed supervisors and keepers and
`hull gc`, bad input (unknown pool, another user's pool, options a slot
cannot honour), failing refills, and the stress run (short here; the long
one behind HULL_POOL_STRESS=1, make pool-stress). The helpers and the
`pool` fixture are test_pool.py's."""
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
from test_pool import POOL_ROOT, TIMEOUT, alive, cg_children, mounts, pool, traced, wait_for  # noqa: F401


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
    """A pool of one slot, six requests without --wait at once while the
    supervisor is stopped: the ready slot takes one from the socket itself,
    the other five queue up in its backlog; every one of them gets a slot
    prepared for it (not a normal start, not a reused slot), -v says which;
    status counts them; nothing is left once the pool stops."""
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
        wait_for(lambda: backlog(p) == n - 1, what="all but one request in the listen queue")
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


def test_killed_supervisor_is_collected_by_gc(pool, hull, spawn):
    p = pool("--memory", "64m", size=2)
    # A keeper left idle: its command runs until the pool has refilled (its
    # keeper is busy meanwhile, so the refill forks another), then ends; the
    # pool is full, so the done keeper waits idle for a slot to prepare.
    holder = spawn([hull, "run", "--pool", p.name, "--", "sh", "-c", "echo ready; read x"],
                   stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline() == "ready\n"
    wait_for(lambda: (lambda st: (st["ready"], st["starting"], st["busy"]) == (2, 0, 1))(
        p.status()), what="the pool to refill around the running command")
    holder.stdin.write("x\n")
    holder.stdin.flush()
    assert holder.wait(timeout=TIMEOUT) == 0
    wait_for(lambda: (lambda st: (st["ready"], st["starting"], st["busy"], st["idle_keepers"])
                      == (2, 0, 0, 1))(p.status()), what="the done keeper to wait idle")
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

    def settled():
        # The keeper and its slot (reparented to the supervisor, killed by
        # its death signal) gone and reaped, the refill done by a new keeper:
        # right after the kill the status still counts the old slot ready.
        children = Path(f"/proc/{sup}/task/{sup}/children").read_text().split()
        st = p.status()
        return str(kids[0]) not in children and len(children) == 1 and \
            (st["ready"], st["starting"]) == (1, 0)

    wait_for(settled, what="the refill after a killed keeper")
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
        ns.own_run(tmp_path, "1m", "hull-fresh-run")
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


# ---- the request path without the supervisor (POOL.md "Processes") ----------

# A client speaking the pool's protocol itself (pool_proto.h): one run request
# for `true` with fds 0-2, then the first reply's type and text. It skips the
# `hull` client's own check of the directory's owner, as a process that can
# search the 0700 directory anyway (CAP_DAC_OVERRIDE) would.
RAW_CLIENT = r'''
import array, socket, struct, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.settimeout(20)
s.connect(sys.argv[1])
payload = b"\0" + b"true\0"
hdr = struct.pack("<IHHiIIIQQ", 0x6c6c7568, 1, 3, 0, 0, 1, 0, 0, 0)
s.sendmsg([hdr + payload], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", [0, 1, 2]))])
data, _, _, _ = s.recvmsg(65536, 64)
print(struct.unpack_from("<IHH", data)[1], data[40:].rstrip(b"\0").decode())
'''


def test_a_ready_slot_serves_while_the_supervisor_is_stopped(pool):
    """The ready slots take run requests from the pool's socket themselves:
    with the supervisor stopped, one request per ready slot is served all
    the same (and none twice: each slot execs once), and the supervisor
    counts them once it runs again."""
    p = pool(size=2)
    sup = p.status()["pid"]
    os.kill(sup, signal.SIGSTOP)
    try:
        for i in range(2):
            r = p.run("sh", "-c", f"test ! -e /tmp/used && touch /tmp/used && echo {i}")
            assert (r.returncode, r.stdout) == (0, f"{i}\n"), r.stderr
    finally:
        os.kill(sup, signal.SIGCONT)
    wait_for(lambda: (lambda st: (st["served_ready"], st["ready"]) == (2, 2))(p.status()),
             what="both requests counted and the pool refilled")


def test_status_is_the_supervisors_while_slots_wait(pool):
    """status and stop have a socket of their own: the ready slots, which
    accept on the run socket, never take them (a status request a slot
    took would be refused, and the slot's accept wasted)."""
    p = pool(size=2)
    assert (POOL_ROOT / p.name / "ctl").is_socket()
    for _ in range(20):
        st = p.status()
        assert (st["ready"], st["served"]) == (2, 0), st


def test_a_slot_refuses_a_client_of_another_user(pool, hull):
    """The peer check of a slot that takes a client itself (SO_PEERCRED:
    the pool's owner or root), with the supervisor stopped so that only a
    slot can answer: a client of uid 65534 that can reach the socket gets
    the supervisor's one-line error, its command does not run, and the slot
    stays ready for the next client."""
    setpriv = shutil.which("setpriv")
    if not setpriv or os.geteuid() != 0:
        pytest.skip("needs root and setpriv (util-linux)")
    p = pool(size=1)
    sup = p.status()["pid"]
    os.kill(sup, signal.SIGSTOP)
    try:
        r = subprocess.run([setpriv, "--reuid", "65534", "--regid", "65534", "--clear-groups",
                            "--inh-caps", "+dac_override", "--ambient-caps", "+dac_override",
                            "/usr/bin/python3", "-c", RAW_CLIENT, str(POOL_ROOT / p.name / "sock")],
                           capture_output=True, text=True, timeout=TIMEOUT)
        assert r.returncode == 0, r.stderr
        error = 6  # HULL_POOL_ERROR
        assert r.stdout == f"{error} cannot use pool '{p.name}': it belongs to uid 0\n"
        # The same slot serves the owner next, still unused.
        r = p.run("sh", "-c", "test ! -e /tmp/used && echo fresh")
        assert (r.returncode, r.stdout) == (0, "fresh\n"), r.stderr
    finally:
        os.kill(sup, signal.SIGCONT)
    st = p.status()
    assert (st["served"], st["served_ready"]) == (1, 1), st


@pytest.mark.parametrize("denied,call", [
    (["epoll_create1"], "epoll_create1"),
    (["epoll_wait", "epoll_pwait"], "epoll_wait"),  # musl's epoll_wait is epoll_pwait
    (["accept4"], "accept4"),
    (["getsockopt"], "getsockopt"),
])
def test_a_profile_that_denies_the_slots_wait_fails_the_start(pool, tmp_path, denied, call):
    """A slot tries every call its wait makes before it is ready: a
    --seccomp file that denies one fails `pool start` in one line naming
    it, and leaves nothing (no pool directory)."""
    profile = tmp_path / "profile"
    profile.write_text("".join(f"{name}\n" for name in denied))
    p = pool("--seccomp", str(profile), size=1, check=False)
    r = p.start_result
    assert r.returncode == 125
    assert r.stderr == (f"hull: cannot start pool '{p.name}': a pool slot cannot wait for its "
                        f"command ({call}): Operation not permitted\n")
    assert not (POOL_ROOT / p.name).exists()


# The raw client's request, then gone at once (its end closes with the
# request unread in the pool's backlog).
RAW_SEND_AND_DIE = RAW_CLIENT.replace("data, _, _, _ = s.recvmsg(65536, 64)", "sys.exit(0)")


def test_a_client_that_died_in_the_backlog_does_not_use_a_slot(pool):
    """A client killed after it sent its request but before a slot took
    it: the slot sees the connection's end and waits for the next client
    instead of running the command for nobody (the ready slot is stopped
    meanwhile, so the dead client is in the backlog when it wakes)."""
    p = pool(size=1)
    sup = p.status()["pid"]
    keepers = Path(f"/proc/{sup}/task/{sup}/children").read_text().split()
    assert len(keepers) == 1
    slot = int(Path(f"/proc/{keepers[0]}/task/{keepers[0]}/children").read_text().split()[0])
    os.kill(slot, signal.SIGSTOP)
    try:
        # Its stdio goes with the request (in flight until a slot takes
        # it): not pipes of this test's, which would stay open meanwhile.
        r = subprocess.run(["/usr/bin/python3", "-c", RAW_SEND_AND_DIE,
                            str(POOL_ROOT / p.name / "sock")], stdin=subprocess.DEVNULL,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=TIMEOUT)
        assert r.returncode == 0
    finally:
        os.kill(slot, signal.SIGCONT)
    r = p.run("sh", "-c", "test ! -e /tmp/used && echo fresh")
    assert (r.returncode, r.stdout) == (0, "fresh\n"), r.stderr
    st = p.status()
    assert (st["served"], st["served_ready"], st["served_queued"]) == (1, 1, 0), st
