"""The command starts with default signal dispositions and an empty mask,
whatever hull's caller ignored or blocked (issue 12): SIG_IGN and the mask
survive execve, and a shell started with a signal ignored cannot even trap
it. A caller that ignores SIGINT (`cmd &`, nohup, CI runners) must still
be able to stop the container through hull."""
import ctypes
import platform
import signal
import subprocess

import pytest

from hostutil import read_line

MODES = {"clone3": [], "init": ["--init"], "fork": ["--spawn", "fork"]}
SIGNALS = [signal.SIGINT, signal.SIGTERM, signal.SIGQUIT]


def ignoring(sig):
    def preexec():
        signal.signal(sig, signal.SIG_IGN)
    return preexec


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("sig", SIGNALS, ids=[s.name for s in SIGNALS])
def test_a_signal_the_caller_ignored_reaches_the_command(hull, rootfs, spawn, mode, sig):
    name = sig.name[3:]
    p = spawn([hull, "run", *MODES[mode], rootfs, "sh", "-c",
               f'trap "echo got-{name}; exit 3" {name}; echo ready; read x'],
              stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
              text=True, preexec_fn=ignoring(sig))
    assert read_line(p.stdout, 10) == "ready\n"
    p.send_signal(sig)
    assert read_line(p.stdout, 10) == f"got-{name}\n"
    assert p.wait(timeout=10) == 3


def sig_fields(text):
    """{"SigBlk": int, "SigIgn": int} from /proc/<pid>/status text."""
    return {line.split(":")[0]: int(line.split()[1], 16) for line in text.splitlines()
            if line.startswith(("SigBlk:", "SigIgn:"))}


@pytest.mark.skipif(platform.machine() != "x86_64", reason="rt_sigaction number is x86-64's")
@pytest.mark.parametrize("mode", MODES)
def test_the_command_starts_with_nothing_ignored_or_blocked(hull, rootfs, mode):
    def preexec():
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT, signal.SIGHUP,
                    signal.SIGUSR1, signal.SIGPIPE):
            signal.signal(sig, signal.SIG_IGN)
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGUSR2,
                                                  signal.SIGALRM, signal.SIGRTMIN})
        # glibc's own two (32, 33), which its sigaction refuses to touch:
        # `make` has been seen handing them down ignored.
        libc = ctypes.CDLL(None, use_errno=True)
        for sig in (32, 33):
            act = (ctypes.c_ulong * 4)(1, 0, 0, 0)  # handler SIG_IGN
            assert libc.syscall(13, sig, act, None, 8) == 0  # rt_sigaction (x86-64)

    r = subprocess.run([hull, "run", *MODES[mode], rootfs, "cat", "/proc/self/status"],
                       capture_output=True, text=True, timeout=20, preexec_fn=preexec)
    assert r.returncode == 0, r.stderr
    assert sig_fields(r.stdout) == {"SigBlk": 0, "SigIgn": 0}
