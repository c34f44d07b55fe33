"""hull-pool-run, the static musl client of a pool (core/pool-run/main.c,
core/lib/POOL.md): for every case `hull run --pool` has, it gives the same
result (exit status, stdout, stderr), and whatever the pool cannot serve
goes to the `hull` next to it. Skipped where it was not built (no
musl-gcc)."""
import json
import os
import shutil
import signal
import subprocess

import pytest
# The pool fixture and helpers of the pool tests (same directory).
from test_pool import TIMEOUT, commands_in_slots, pool, wait_for  # noqa: F401


@pytest.fixture(scope="session")
def client(build_dir):
    path = build_dir / "bin" / "hull-pool-run"
    if not path.exists():
        pytest.skip(f"{path} is not built (musl-gcc missing: apt-get install musl-tools)")
    return str(path)


def both(hull, client, args, **kw):
    """The same pool run through hull and through hull-pool-run (the tests
    pass --wait: a slot, never the fallback, whatever the refill's pace)."""
    kw.setdefault("capture_output", True)
    kw.setdefault("text", True)
    kw.setdefault("timeout", TIMEOUT)
    return (subprocess.run([hull, "run", *args], **kw), subprocess.run([client, *args], **kw))


def same(results):
    a, b = results
    assert (b.returncode, b.stdout, b.stderr) == (a.returncode, a.stdout, a.stderr)
    return b


def test_exit_status_stdio_env_cwd(pool, hull, client):
    p = pool()
    r = same(both(hull, client, ["--pool", p.name, "--wait", "--env", "FOO=bar", "--cwd", "/tmp",
                                 "--", "sh", "-c",
                                 'read x; echo "out:$x:$FOO:$(pwd)"; echo oops >&2; exit 7'],
                  input="hello\n"))
    assert (r.returncode, r.stdout, r.stderr) == (7, "out:hello:bar:/tmp\n", "oops\n")
    # Without "--", options after --pool, and the command's own options.
    r = same(both(hull, client, ["--env", "A=1", "--pool", p.name, "--wait", "sh", "-c",
                                 'echo "$A $0" -x', "zero"]))
    assert (r.returncode, r.stdout) == (0, "1 zero -x\n"), r.stderr


def test_closed_stdin_and_command_errors(pool, hull, client):
    p = pool(size=1)
    r = same(both(hull, client, ["--pool", p.name, "--wait", "sh", "-c", "cat; echo ok"],
                  preexec_fn=lambda: os.close(0)))
    assert (r.returncode, r.stdout) == (0, "ok\n"), r.stderr
    r = same(both(hull, client, ["--pool", p.name, "--wait", "no-such-command"]))
    assert r.returncode == 127
    assert r.stderr.startswith("hull: cannot execute 'no-such-command'")
    assert same(both(hull, client, ["--pool", p.name, "--wait", "/etc"])).returncode == 126


def test_timeout_is_honoured(pool, hull, client):
    p = pool(size=1)
    r = same(both(hull, client, ["--pool", p.name, "--wait", "--timeout", "0.3",
                                 "--kill-after", "0.3", "--", "sleep", "100"]))
    assert r.returncode == 124


def test_signal_reaches_the_command(pool, spawn, client):
    p = pool(size=1)
    for sig in (signal.SIGTERM, signal.SIGINT):
        proc = spawn([client, "--pool", p.name, "--wait", "--", "sh", "-c",
                      "echo ready; exec sleep 100"], stdout=subprocess.PIPE, text=True)
        assert proc.stdout.readline() == "ready\n"
        wait_for(lambda: "sleep" in commands_in_slots(p), what="sleep to run in the slot")
        proc.send_signal(sig)
        assert proc.wait(timeout=TIMEOUT) == 128 + sig
    proc = spawn([client, "--pool", p.name, "--wait", "--", "sh", "-c",
                  "trap 'echo got-usr1; exit 3' USR1; echo ready; while :; do sleep 0.05; done"],
                 stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline() == "ready\n"
    proc.send_signal(signal.SIGUSR1)
    assert proc.wait(timeout=TIMEOUT) == 3
    assert proc.stdout.read() == "got-usr1\n"


def test_what_the_pool_cannot_serve_is_hulls(pool, hull, client):
    """No such pool, an option a slot cannot honour, a bad value, -v: the
    answer is hull's own (the client execs it)."""
    p = pool(size=1)
    r = same(both(hull, client, ["--pool", "no-such-pool-x", "--", "true"]))
    assert (r.returncode, r.stderr) == (125, "hull: unknown pool 'no-such-pool-x'\n")
    r = same(both(hull, client, ["--pool", p.name, "--wait", "--memory", "64m", "--", "true"]))
    assert r.returncode == 125 and "cannot be honoured by a prepared slot" in r.stderr
    r = same(both(hull, client, ["--pool", p.name, "--wait", "--cwd", "relative", "--", "true"]))
    assert r.returncode == 125 and "not an absolute path" in r.stderr
    r = same(both(hull, client, ["--pool", p.name, "--wait", "-v", "--", "echo", "hi"]))
    assert (r.returncode, r.stdout) == (0, "hi\n")
    assert "ran in a slot of pool" in r.stderr
    r = same(both(hull, client, ["--pool", p.name, "--wait", "--"]))
    assert r.returncode == 125 and "no command given" in r.stderr


def test_serves_without_hull_and_falls_back_to_its_sibling(pool, client, tmp_path):
    """A copy of the client alone in a directory: a pool run works without
    any hull (it served the request itself); what needs hull names the
    missing binary next to it."""
    p = pool(size=1)
    alone = tmp_path / "hull-pool-run"
    shutil.copy(client, alone)
    r = subprocess.run([str(alone), "--pool", p.name, "--wait", "--", "sh", "-c",
                        "echo in-slot; exit 5"], capture_output=True, text=True, timeout=TIMEOUT)
    assert (r.returncode, r.stdout, r.stderr) == (5, "in-slot\n", "")
    r = subprocess.run([str(alone), "--pool", "no-such-pool-x", "--", "true"],
                       capture_output=True, text=True, timeout=TIMEOUT)
    assert r.returncode == 125
    assert r.stderr == f"hull-pool-run: cannot execute '{tmp_path}/hull': " \
                       "No such file or directory\n"


def test_trace_marks_the_request_path(pool, client):
    p = pool(size=1)
    r_fd, w_fd = os.pipe()
    try:
        r = subprocess.run([client, "--pool", p.name, "--wait", "--trace-fd", str(w_fd), "--",
                            "hull-probe"], capture_output=True, text=True, timeout=TIMEOUT,
                           pass_fds=(w_fd,))
        os.close(w_fd)
        w_fd = -1
        with os.fdopen(r_fd) as f:
            phases = [json.loads(line)["phase"] for line in f]
    finally:
        if w_fd >= 0:
            os.close(w_fd)
    assert r.returncode == 0, r.stderr
    for want in ("start", "parsed", "connected", "request_sent", "slot_woken", "request_read",
                 "exec", "exited"):
        assert phases.count(want) == 1, phases
    assert phases.index("start") < phases.index("connected") < phases.index("exited")


def test_request_size_bound(pool, hull, client):
    """The request (cwd, argv, env) is sized to what it holds: just under
    the 128 KiB bound it reaches the command intact, over it both clients
    refuse it in one line."""
    p = pool(size=1)
    big = ["x" * 60000, "y" * 60000]
    r = same(both(hull, client, ["--pool", p.name, "--wait", "--env", "E=" + "z" * 5000, "--",
                                 "sh", "-c", 'echo ${#0} ${#1} ${#E}', *big]))
    assert (r.returncode, r.stdout) == (0, "60000 60000 5000\n"), r.stderr
    r = same(both(hull, client, ["--pool", p.name, "--wait", "--", "echo", *big, "w" * 20000]))
    assert r.returncode == 125
    assert r.stderr == "hull: cannot send the command to a pool slot (over 131072 bytes): " \
                       "Argument list too long\n"


def client_faults(args):
    """Minor page faults of one hull-pool-run process (its own: the
    command runs in the slot, not under it), with its exit status."""
    pid = os.posix_spawn(args[0], args, {"PATH": "/usr/bin:/bin"},
                         file_actions=[(os.POSIX_SPAWN_OPEN, 0, "/dev/null", os.O_RDWR, 0),
                                       (os.POSIX_SPAWN_OPEN, 1, "/dev/null", os.O_RDWR, 0),
                                       (os.POSIX_SPAWN_OPEN, 2, "/dev/null", os.O_RDWR, 0)])
    _, status, ru = os.wait4(pid, 0)
    return os.waitstatus_to_exitcode(status), ru.ru_minflt


def test_client_touches_few_pages(pool, client):
    """Its exec and request are on the request path, where every page
    touched first is a fault (~10 us on some VMs): one mapping for code and
    rodata, data and .bss in one page, no vDSO, buffers sized to need
    (pool-run.mk, POOL.md "The client's page faults"). The default layout
    and the vDSO clock took 13-14 (counted by wait4, the spawn's own
    included); with these 5-6."""
    p = pool(size=1)
    envs = [a for i in range(40) for a in ("--env", f"V{i}=x")]
    for extra in ([], ["--trace-fd", "2"], envs):
        faults = [client_faults([client, "--pool", p.name, "--wait", *extra, "--", "true"])
                  for _ in range(3)]
        assert all(code == 0 for code, _ in faults), faults
        assert min(n for _, n in faults) <= 8, (extra[:2], faults)
