"""Hostile arguments: whatever a caller passes, `hull run` either works or
fails with one clear line and exit 125 (126/127 where the command itself
cannot be run) — never a crash (a signal, a sanitizer report) — and leaves
nothing on the host: no mount, no cgroup, no process.

Arguments are bytes, so names that are not UTF-8 reach hull as they are.
NUL cannot be passed in argv or the environment at all (execve ends every
string at the first NUL); the nearest a caller gets is an argument cut at
the NUL, which the env-cut-at-nul case shows."""
import glob
import os
import re
import subprocess

import pytest

from conftest import host_mounts
from hostutil import cgroup_mount_points as cgroup_points
from hostutil import run_by_another_suite

SANITIZER_MARKS = (b"AddressSanitizer", b"LeakSanitizer", b"UndefinedBehaviorSanitizer",
                   b"runtime error:")
ERROR, WORKS = "error", "works"
BIG = 2**63 - 1


def hull_cgroups():
    """Every container cgroup (<pid>-<start time>) under the parents these
    tests use, in every hierarchy."""
    out = set()
    for point in cgroup_points():
        for parent in ("hull", "hostile-parent"):
            for d in glob.glob(f"{point}/{parent}/**/", recursive=True):
                if re.fullmatch(r"\d+-\d+", os.path.basename(d.rstrip("/"))):
                    out.add(d)
    return out


def b(s):
    return s if isinstance(s, bytes) else str(s).encode()


def cases(rootfs, tmp):
    """id -> (hull run arguments, what must happen, extra check on stdout).
    ROOTFS in the arguments stands for the default rootfs."""
    long_name = b"x" * 250
    deep = os.path.join(tmp, "deep")
    deep_root = deep.encode() + (b"/" + long_name) * 15 + b"/root"  # ~3.8 KiB path
    n256 = []
    for i in range(256):
        n256 += ["--env", f"V{i}={i}"]
    n10k = []
    for i in range(10000):
        n10k += ["--env", f"V{i}={i}"]
    return {
        # very long strings
        "rootfs-path-over-path-max": ([b"/tmp/" + b"r" * 5000, "true"], ERROR, None),
        "rootfs-component-over-name-max": ([b"/tmp/" + b"r" * 300, "true"], ERROR, None),
        "rootfs-path-near-path-max": ([deep_root, "echo", "ok"], WORKS, b"ok\n"),
        "hostname-100k": (["--hostname", "h" * 100_000, "ROOTFS", "true"], ERROR, None),
        "hostname-64": (["--hostname", "h" * 64, "ROOTFS", "hostname"], WORKS,
                        b"h" * 64 + b"\n"),
        "hostname-empty": (["--hostname", "", "ROOTFS", "true"], ERROR, None),
        "env-value-100k": (["--env", "BIG=" + "v" * 100_000, "ROOTFS", "sh", "-c",
                            'echo ${#BIG}'], WORKS, b"100000\n"),
        # (one string above the kernel's MAX_ARG_STRLEN, 128 KiB, cannot even
        # reach hull: its own execve fails with E2BIG)
        "env-name-100k": (["--env", "N" * 100_000 + "=1", "ROOTFS", "true"], WORKS, None),
        "cwd-over-path-max": (["--cwd", "/" + "c" * 5000, "ROOTFS", "true"], ERROR, None),
        "command-name-100k": (["ROOTFS", "c" * 100_000], ERROR, None),
        "cgroup-parent-5000": (["--memory", "64m", "--cgroup-parent", "p" * 5000, "ROOTFS",
                                "true"], ERROR, None),
        "cgroup-parent-dotdot": (["--memory", "64m", "--cgroup-parent", "hull/../..",
                                  "ROOTFS", "true"], ERROR, None),
        "cgroup-parent-nested": (["--memory", "64m", "--cgroup-parent",
                                  "hostile-parent/a/b", "ROOTFS", "true"], WORKS, None),
        # many flags
        "env-256-flags": ([*n256, "ROOTFS", "sh", "-c", "echo $V0 $V255"], WORKS,
                          b"0 255\n"),
        "env-10000-flags": ([*n10k, "ROOTFS", "true"], ERROR, None),
        "ns-10000-times": ([*(["--ns", "mnt,uts,pid"] * 10000), "ROOTFS", "true"], WORKS,
                           None),
        "args-1000x1000": (["ROOTFS", "sh", "-c", 'echo $#', "sh", *(["a" * 1000] * 1000)],
                           WORKS, b"1000\n"),
        # not UTF-8
        "env-name-not-utf8": (["--env", b"\xff\xfe=1", "ROOTFS", "true"], WORKS, None),
        "env-value-not-utf8": (["--env", b"A=\xff\xfe\x80", "ROOTFS", "sh", "-c",
                                'printf %s "$A"'], WORKS, b"\xff\xfe\x80"),
        "hostname-not-utf8": (["--hostname", b"h\xff\xfe", "ROOTFS", "hostname"], WORKS,
                              b"h\xff\xfe\n"),
        "rootfs-not-utf8": ([b"/tmp/\xff\xfe-missing", "true"], ERROR, None),
        "command-not-utf8": (["ROOTFS", b"/bin/\xff\xfe"], ERROR, None),
        "ns-not-utf8": (["--ns", b"mnt,\xff", "ROOTFS", "true"], ERROR, None),
        "cap-not-utf8": (["--cap-add", b"\xff", "ROOTFS", "true"], ERROR, None),
        # control characters and "NUL": argv ends a string at NUL, so this is
        # what a caller trying to smuggle B=2 after a NUL gets
        "env-cut-at-nul": (["--env", "A=1", "ROOTFS", "sh", "-c", 'echo "$A${B-unset}"'],
                           WORKS, b"1unset\n"),
        "env-value-control-chars": (["--env", "A=\x01\x1b[31m\r\t", "ROOTFS", "true"], WORKS,
                                    None),
        "env-name-with-newline": (["--env", "A\nB=1", "ROOTFS", "true"], WORKS, None),
        # huge and odd numbers
        "memory-20-digits": (["--memory", "99999999999999999999", "ROOTFS", "true"], ERROR,
                             None),
        "memory-overflows-shift": (["--memory", "8589934592g", "ROOTFS", "true"], ERROR, None),
        "memory-int64-max": (["--memory", str(BIG), "ROOTFS", "true"], "either", None),
        "memory-2-pow-62": (["--memory", str(2**62), "ROOTFS", "true"], "either", None),
        "memory-swap-int64-max": (["--memory", "64m", "--memory-swap", str(BIG), "ROOTFS",
                                   "true"], "either", None),
        "memory-negative": (["--memory", "-1", "ROOTFS", "true"], ERROR, None),
        "pids-int64-max": (["--pids", str(BIG), "ROOTFS", "true"], "either", None),
        "pids-20-digits": (["--pids", "99999999999999999999", "ROOTFS", "true"], ERROR, None),
        "cpus-1e308": (["--cpus", "1e308", "ROOTFS", "true"], ERROR, None),
        "cpus-hex-float": (["--cpus", "0x1p-3", "ROOTFS", "true"], "either", None),
        "cpus-tiny": (["--cpus", "0.000000001", "ROOTFS", "true"], ERROR, None),
        "cpuset-absent-cpu": (["--cpuset", "4095", "ROOTFS", "true"], ERROR, None),
        "cpuset-20-digits": (["--cpuset", "0-99999999999999999999", "ROOTFS", "true"], ERROR,
                             None),
        "trace-fd-int-max": (["--trace-fd", "2147483647", "ROOTFS", "true"], ERROR, None),
        "trace-fd-20-digits": (["--trace-fd", "99999999999999999999", "ROOTFS", "true"],
                               ERROR, None),
        "user-max": (["--user", "4294967294", "ROOTFS", "id", "-u"], WORKS, b"4294967294\n"),
        "user-overflow": (["--user", "4294967296", "ROOTFS", "true"], ERROR, None),
        "uidmap-wraps": (["--ns", "all", "--uidmap", "4294967294:4294967294:4294967294",
                          "ROOTFS", "true"], ERROR, None),
        # --timeout / --kill-after seconds
        "timeout-below-1ns": (["--timeout", "0.000000000001", "ROOTFS", "sleep", "3"],
                              "timeout", None),
        "timeout-1e308": (["--timeout", "1e308", "ROOTFS", "true"], ERROR, None),
        "timeout-nan": (["--timeout", "nan", "ROOTFS", "true"], ERROR, None),
        "timeout-hex": (["--timeout", "0x10", "ROOTFS", "true"], "either", None),
        "kill-after-negative": (["--timeout", "1", "--kill-after", "-1", "ROOTFS", "true"],
                                ERROR, None),
        "init-with-long-command": (["--init", "ROOTFS", "sh", "-c", 'echo $#', "sh",
                                    *(["b" * 1000] * 500)], WORKS, b"500\n"),
        # option-looking commands: everything after the rootfs is the command's
        "command-is-help": (["ROOTFS", "--help"], ERROR, None),
        "command-is-dashdash-version": (["ROOTFS", "--", "--version"], ERROR, None),
        "command-args-look-like-options": (["ROOTFS", "sh", "-c", 'echo "$@"', "sh", "--ns",
                                            "none", "--privileged"], WORKS,
                                           b"--ns none --privileged\n"),
        "rootfs-after-dashdash": (["--", "ROOTFS", "echo", "ok"], WORKS, b"ok\n"),
        "rootfs-looks-like-option": (["--", "--privileged", "true"], ERROR, None),
        "option-abbreviation-ambiguous": (["--c", "ROOTFS", "true"], ERROR, None),
    }


CASE_IDS = list(cases("R", "/T"))


@pytest.fixture
def nothing_left(hull):
    """Mounts and cgroups as before the test; any cgroup left is removed
    (hull gc) before the test fails."""
    mounts, cgroups = host_mounts(), hull_cgroups()
    yield
    left = {d for d in hull_cgroups() - cgroups if not run_by_another_suite(d)}
    if left:
        for parent in ("hull", "hostile-parent"):
            subprocess.run([hull, "gc", "--cgroup-parent", parent], capture_output=True,
                           timeout=30)
    for point in cgroup_points():  # the nested parent a test made
        for d in sorted(glob.glob(f"{point}/hostile-parent/**/", recursive=True),
                        key=len, reverse=True):
            try:
                os.rmdir(d)
            except OSError:
                pass
    assert not left, f"cgroups left behind: {sorted(left)}"
    assert host_mounts() == mounts


@pytest.mark.parametrize("case", CASE_IDS)
def test_hostile(hull, rootfs, tmp_path, nothing_left, case):
    argv, want, out = cases(rootfs, str(tmp_path))[case]
    if case == "rootfs-path-near-path-max":
        parent = argv[0].rsplit(b"/", 1)[0]
        os.makedirs(parent)
        os.symlink(rootfs, argv[0])
    argv = [b(rootfs) if a == "ROOTFS" else b(a) for a in argv]
    r = subprocess.run([hull, "run", *argv], capture_output=True, timeout=60,
                       env={"PATH": os.environ.get("PATH", "/usr/bin:/bin")})
    shown = r.stderr[-2000:]
    assert not any(m in r.stderr for m in SANITIZER_MARKS), shown
    assert 0 <= r.returncode < 128, f"hull crashed: {r.returncode} {shown!r}"
    if want == "timeout" and r.returncode == 124:  # timed out, as timeout(1)
        return
    if want == WORKS or (want == "either" and r.returncode == 0):
        assert r.returncode == 0, shown
        if out is not None:
            assert r.stdout == out
        return
    assert r.returncode in (125, 126, 127), f"{r.returncode} {shown!r}"
    assert r.stdout == b""
    assert r.stderr.startswith(b"hull: ") and r.stderr.endswith(b"\n"), shown
    assert r.stderr.count(b"\n") == 1, shown
    assert len(r.stderr) < 1024, "an error line should not carry a whole huge argument"
    if case in ("memory-int64-max", "memory-2-pow-62", "memory-swap-int64-max"):
        # the error must not quote a value the user never typed
        assert b"'-" not in r.stderr, shown


def test_error_with_newline_stays_one_line(hull, rootfs, nothing_left):
    r = subprocess.run([hull, "run", "--memory", "1\nhull: fake second line", rootfs, "true"],
                       capture_output=True, timeout=30)
    assert r.returncode == 125
    assert r.stderr.count(b"\n") == 1, r.stderr


def test_term_from_hostile_environment(hull, rootfs, nothing_left):
    # TERM is the one variable of hull's own environment the command gets:
    # a huge, non-UTF-8 one still works and arrives unchanged.
    term = b"\xff" + b"t" * 50_000
    r = subprocess.run([hull, "run", rootfs, "sh", "-c", 'printf %s "$TERM"'],
                       capture_output=True, timeout=30, env={"TERM": term, "PATH": "/bin"})
    assert r.returncode == 0, r.stderr[-500:]
    assert r.stdout == term
