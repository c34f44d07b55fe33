"""--init, --timeout and the PID-1 signal semantics."""
import signal
import subprocess
import time

import pytest

from hostutil import comm_of, deepest_descendant, read_line, wait_until

SPAWNS = ["clone3", "fork"]


@pytest.fixture
def proc(spawn):
    def _spawn(argv):
        return spawn(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                     stderr=subprocess.PIPE, text=True)
    return _spawn


@pytest.mark.parametrize("mode", SPAWNS)
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["TERM", "INT"])
def test_pid1_without_handler_still_stops(hull, rootfs, proc, mode, sig):
    # `sleep` as PID 1 has no handler: the kernel would drop the signal.
    # hull turns it into SIGKILL and reports 128+N, as for `sleep` itself.
    p = proc([hull, "run", "--spawn", mode, rootfs, "sh", "-c", "echo ready; exec sleep 100"])
    assert read_line(p.stdout, 10) == "ready\n"
    # Signal only once the shell has become sleep (a shell catches SIGINT
    # itself and would swallow it on its way to the exec).
    assert wait_until(lambda: comm_of(deepest_descendant(p.pid)) == "sleep", 10)
    p.send_signal(sig)
    assert p.wait(timeout=10) == 128 + sig


def test_pid1_with_handler_gets_the_signal_itself(run, hull, rootfs, proc):
    p = proc([hull, "run", rootfs, "sh", "-c",
              'trap "echo caught; exit 3" TERM; echo ready; while :; do sleep 0.05; done'])
    assert read_line(p.stdout, 10) == "ready\n"
    p.send_signal(signal.SIGTERM)
    assert read_line(p.stdout, 10) == "caught\n"
    assert p.wait(timeout=10) == 3


def test_init_is_pid1_and_the_command_is_its_child(run):
    r = run("--init", "ROOTFS", "sh", "-c", "echo $$; cat /proc/1/comm; exit 7")
    assert r.returncode == 7
    assert r.stdout.split() == ["2", "hull"]


def test_init_reaps_orphans(run):
    # Orphaned grandchildren are adopted by PID 1; with --init nobody stays
    # a zombie while the command runs on.
    script = ("for i in 1 2 3; do (sleep 0.01 &) ; done; "
              "n=0; while [ $n -lt 200 ]; do z=$(grep -l '^State:.Z' /proc/[0-9]*/status 2>/dev/null | wc -l); "
              "[ $z -eq 0 ] && [ $(ls -d /proc/[0-9]* | wc -l) -le 4 ] && break; n=$((n+1)); sleep 0.01; done; "
              "echo zombies=$z")
    r = run("--init", "ROOTFS", "sh", "-c", script)
    assert r.stdout.strip() == "zombies=0", r.stdout + r.stderr


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGUSR1], ids=["TERM", "USR1"])
def test_init_forwards_signals(hull, rootfs, proc, sig):
    name = sig.name[3:]
    p = proc([hull, "run", "--init", rootfs, "sh", "-c",
              f'trap "echo got-{name}; exit 5" {name}; echo ready; while :; do sleep 0.05; done'])
    assert read_line(p.stdout, 10) == "ready\n"
    p.send_signal(sig)
    assert read_line(p.stdout, 10) == f"got-{name}\n"
    assert p.wait(timeout=10) == 5


def test_init_uncaught_term_ends_the_command(hull, rootfs, proc):
    # Under --init the command is not PID 1: SIGTERM's default action works.
    p = proc([hull, "run", "--init", rootfs, "sh", "-c", "echo ready; exec sleep 100"])
    assert read_line(p.stdout, 10) == "ready\n"
    assert wait_until(lambda: comm_of(deepest_descendant(p.pid)) == "sleep", 10)
    p.send_signal(signal.SIGTERM)
    assert p.wait(timeout=10) == 143


@pytest.mark.parametrize("mode", SPAWNS)
def test_timeout_exits_124(run, mode):
    t0 = time.monotonic()
    r = run("--spawn", mode, "--timeout", "0.3", "ROOTFS", "sleep", "30")
    assert r.returncode == 124
    assert time.monotonic() - t0 < 10


def test_timeout_kills_after_the_grace_period(run):
    # A command that ignores SIGTERM is killed --kill-after seconds later.
    t0 = time.monotonic()
    r = run("--timeout", "0.2", "--kill-after", "0.3", "ROOTFS", "sh", "-c",
            'trap "" TERM; echo started; while :; do sleep 0.05; done')
    elapsed = time.monotonic() - t0
    assert r.returncode == 124
    assert r.stdout == "started\n"
    assert elapsed >= 0.5  # timeout + grace: the TERM alone did not end it


def test_timeout_not_reached(run):
    r = run("--timeout", "20", "ROOTFS", "sh", "-c", "exit 3")
    assert r.returncode == 3


@pytest.mark.parametrize("value", ["0", "-1", "abc", "1x", "", "1e99"])
def test_bad_timeout(run, value):
    r = run("--timeout", value, "ROOTFS", "true")
    assert r.returncode == 125
    assert r.stderr == f"hull: invalid timeout '{value}' (expected seconds greater than 0)\n"
