"""A pool slot on the shared-memory spawn (POOL.md, "Slots in their
keeper's memory"): where hull would spawn `hull run`'s child in its own
memory, a keeper clones its slot that way too and sleeps until the slot's
exec. These tests tell it from outside: kcmp(KCMP_VM) says whether two
processes have one address space, and a keeper waiting for its slot's
exec sleeps interruptibly ("S": a "D" would count in the load average). The `pool` fixture and helpers are
test_pool.py's."""
import ctypes
import json
import os
import signal
import subprocess
from pathlib import Path

import pytest
from test_pool import (POOL_ROOT, TIMEOUT, TRACES, alive, cg_children,  # noqa: F401
                       keepers_and_slots, mounts, pool, slot_processes, wait_for)

SYS_KCMP = 312  # x86_64
KCMP_VM = 1
_libc = ctypes.CDLL(None, use_errno=True)


def same_vm(a, b):
    r = _libc.syscall(SYS_KCMP, int(a), int(b), KCMP_VM, 0, 0)
    if r < 0:
        raise OSError(ctypes.get_errno(), f"kcmp {a} {b}")
    return r == 0


def state(pid):
    with open(f"/proc/{pid}/stat") as f:
        return f.read().rsplit(")", 1)[1].split()[0]


def cmd_of(pid):
    try:
        return Path(f"/proc/{pid}/cmdline").read_text().split("\0")[0]
    except (FileNotFoundError, ProcessLookupError):
        return ""


def vm_size_kib(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmSize:"):
            return int(line.split()[1])
    raise AssertionError(f"no VmSize for {pid}")


@pytest.fixture(autouse=True)
def _x86_64():
    if os.uname().machine != "x86_64":
        pytest.skip("kcmp's system call number is x86_64's here")


def ready_pairs(p, size):
    wait_for(lambda: p.status()["ready"] == size, what="the pool full")
    pairs = keepers_and_slots(p)
    assert len(pairs) == size, pairs
    return pairs


@pytest.mark.parametrize("opts", [[], ["--memory", "64m", "--pids", "64", "--cpus", "1"]],
                         ids=["default", "limits"])
def test_a_slot_runs_in_its_keepers_memory_until_the_exec(pool, opts):
    p = pool(*opts, size=2)
    waiting = {}
    for keeper, slot in ready_pairs(p, 2):
        assert same_vm(keeper, slot), (keeper, slot)
        # Asleep until the exec, and not in the vfork's uninterruptible
        # wait: an idle pool must not add its slots to the load average.
        assert state(keeper) == "S", "the keeper sleeps interruptibly until the exec"
        waiting[keeper] = vm_size_kib(keeper)
    # The command execs into an address space of its own, and its keeper
    # runs again (it supervises).
    child = subprocess.Popen([p.hull, "run", "--pool", p.name, "--", "sleep", "60"])
    try:
        def command():
            for keeper, kid in keepers_and_slots(p):
                if cmd_of(kid) == "sleep":
                    return keeper, kid
            return None
        wait_for(lambda: command() is not None, what="the command running")
        keeper, cmd = command()
        assert not same_vm(keeper, cmd)
        # Nothing of the request is left in the keeper the slot ran in: the
        # request's room (~2.2 MiB, the slot's mapping) is unmapped, and
        # the slot's stack with it.
        assert waiting[keeper] - vm_size_kib(keeper) >= 2048, (waiting[keeper],
                                                               vm_size_kib(keeper))
    finally:
        child.send_signal(signal.SIGTERM)
        assert child.wait(timeout=TIMEOUT) == 143


@pytest.mark.parametrize("opts", [["--init"]], ids=["init"])
def test_a_slot_that_must_not_share_is_cloned_apart(pool, opts):
    """--init keeps its PID 1 (it never execs), so the keeper would sleep
    for the container's whole life: the slot gets memory of its own."""
    p = pool(*opts, size=1)
    for keeper, slot in ready_pairs(p, 1):
        assert not same_vm(keeper, slot)
        assert state(keeper) != "D"
    r = p.run("sh", "-c", "echo $$")
    assert r.returncode == 0, r.stderr


def test_a_user_namespace_slot_is_cloned_apart(pool):
    """A rootless parent writes the maps of a dumpable child; a shared mm's
    dumpable flag would be the keeper's (container.c)."""
    p = pool("--ns", "mnt,pid,user", size=1, check=False)
    if p.start_result.returncode != 0:
        pytest.skip(f"no user-namespace pool here: {p.start_result.stderr.strip()}")
    for keeper, slot in ready_pairs(p, 1):
        assert not same_vm(keeper, slot)


def test_a_keeper_reused_after_a_shared_slot_stays_clean(pool):
    """Size 1: the keepers take turns, each slot in its keeper's memory.
    A request that leaves everything it can (hull-tenant leave) and traced
    requests (the slot moves the client's trace fd where the keeper keeps
    /dev/null) are followed by clean, untraced-by-the-keeper ones."""
    p = pool("--cap-add", "SYS_ADMIN", size=1)
    a = p.run("hull-tenant", "leave")
    assert a.returncode == 0, a.stderr
    for _ in range(4):
        r_fd, w_fd = os.pipe()
        try:
            r = subprocess.run([p.hull, "run", "--pool", p.name, "--trace-fd", str(w_fd), "--",
                                "hull-tenant", "look"], capture_output=True, text=True,
                               timeout=TIMEOUT, pass_fds=(w_fd,))
            os.close(w_fd)
            w_fd = -1
            with os.fdopen(r_fd) as f:
                marks = [json.loads(line)["phase"] for line in f]
        finally:
            if w_fd >= 0:
                os.close(w_fd)
        assert r.returncode == 0, r.stderr
        assert r.stdout.splitlines() == [f"{t} clean" for t in TRACES]
        assert sorted(marks) == sorted(["start", "parsed", "connected", "request_sent", "exited",
                                        "slot_woken", "request_read", "exec"]), marks
    st = p.status()
    assert st["reused"] >= 1 and st["failures"] == 0, st
    for keeper, slot in ready_pairs(p, 1):
        assert same_vm(keeper, slot)


def test_stop_and_a_killed_supervisor_release_suspended_keepers(pool, hull):
    """Stop with every keeper asleep in its slot's vfork; then a killed
    supervisor's: the slots see their supervisor socket close and end,
    which wakes the keepers, which end. Nothing is left (hull gc for the
    killed one)."""
    before = mounts()
    p = pool("--memory", "64m", size=2)
    pairs = ready_pairs(p, 2)
    assert all(state(k) == "S" for k, _ in pairs)
    r = p.stop()
    assert r.returncode == 0, r.stderr
    wait_for(lambda: not any(alive(x) for pair in pairs for x in pair), what="all gone")
    assert not (POOL_ROOT / p.name).exists()
    assert cg_children(p.cg_parent) == []
    assert mounts() == before

    q = pool("--memory", "64m", size=2)
    pairs = ready_pairs(q, 2)
    sup = q.status()["pid"]
    os.kill(sup, signal.SIGKILL)
    wait_for(lambda: not any(alive(x) for pair in pairs for x in pair),
             what="keepers and slots gone")
    r = subprocess.run([hull, "gc", "--cgroup-parent", q.cg_parent], capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert not (POOL_ROOT / q.name).exists()
    assert cg_children(q.cg_parent) == []
    assert mounts() == before


def test_a_killed_client_of_a_shared_slot_ends_its_container(pool, spawn):
    p = pool(size=1)
    ready_pairs(p, 1)
    c = spawn([p.hull, "run", "--pool", p.name, "--", "sleep", "60"])
    wait_for(lambda: any(cmd_of(s) == "sleep" for _, s in keepers_and_slots(p)),
             what="the command running")
    sleeper = [s for _, s in keepers_and_slots(p) if cmd_of(s) == "sleep"][0]
    c.kill()
    c.wait(timeout=TIMEOUT)
    wait_for(lambda: not alive(sleeper), what="the container killed")
    r = p.run("true")
    assert r.returncode == 0, r.stderr
