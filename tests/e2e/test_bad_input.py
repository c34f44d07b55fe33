"""Bad input: one clear line on stderr, exit 125, nothing changed on the
host."""
import os
import re
import shutil
import subprocess

import pytest

from conftest import host_mounts

LONG = "h" * 65


def cases(rootfs, tmp):
    afile = os.path.join(tmp, "a-file")
    return {
        "missing-rootfs": ([f"{tmp}/nope", "true"],
                           f"hull: cannot use rootfs '{tmp}/nope': No such file or directory"),
        "rootfs-is-a-file": ([afile, "true"],
                             f"hull: cannot use rootfs '{afile}': Not a directory"),
        "no-command": ([rootfs], "hull: no command given"),
        "no-command-after-dashes": ([rootfs, "--"], "hull: no command given"),
        "no-rootfs": ([], "hull: no rootfs given"),
        "unknown-namespace": (["--ns", "mnt,bogus", rootfs, "true"],
                              "hull: unknown namespace 'bogus'"),
        "empty-namespace-item": (["--ns", "mnt,,uts", rootfs, "true"],
                                 "hull: invalid namespace list 'mnt,,uts'"),
        "hostname-too-long": (["--hostname", LONG, rootfs, "true"],
                              f"hull: hostname '{LONG}' is longer than 64 bytes"),
        "hostname-without-uts": (["--ns", "mnt,pid", "--hostname", "x", rootfs, "true"],
                                 "hull: --hostname requires the uts namespace (--ns ...,uts)"),
        "trace-fd-not-open": (["--trace-fd", "97", rootfs, "true"],
                              "hull: cannot use trace fd '97': Bad file descriptor"),
        "trace-fd-not-a-number": (["--trace-fd", "x1", rootfs, "true"],
                                  "hull: invalid file descriptor 'x1'"),
        "env-without-equals": (["--env", "FOO", rootfs, "true"],
                               "hull: invalid environment variable 'FOO': expected NAME=VALUE"),
        "env-empty-name": (["--env", "=x", rootfs, "true"],
                           "hull: invalid environment variable '=x': expected NAME=VALUE"),
        "unknown-option": (["--frobnicate", rootfs, "true"], "hull: unknown option '--frobnicate'"),
        "unknown-short-option": (["-q", rootfs, "true"], "hull: unknown option '-q'"),
        "missing-option-argument": (["--ns"], "hull: option '--ns' requires an argument"),
        "bad-spawn": (["--spawn", "vfork", rootfs, "true"],
                      "hull: unknown spawn mode 'vfork' (clone3 or fork)"),
        "relative-cwd": (["--cwd", "tmp", rootfs, "true"],
                         "hull: working directory 'tmp' is not an absolute path"),
        "rootfs-is-host-root": (["/", "true"],
                                "hull: cannot use rootfs '/': it is the host's root"),
    }


CASE_IDS = list(cases("R", "T"))


@pytest.mark.parametrize("case", CASE_IDS)
def test_bad_input(hull, rootfs, tmp_path, case):
    (tmp_path / "a-file").write_text("")
    argv, expected = cases(rootfs, str(tmp_path))[case]
    before = host_mounts()
    r = subprocess.run([hull, "run", *argv], capture_output=True, text=True, timeout=10)
    assert r.returncode == 125
    assert r.stdout == ""
    assert r.stderr == expected + "\n"
    assert host_mounts() == before


def test_error_style(hull, rootfs, tmp_path):
    # One line, "hull: " then lowercase, no full stop.
    for argv, _ in cases(rootfs, str(tmp_path)).values():
        r = subprocess.run([hull, "run", *argv], capture_output=True, text=True, timeout=10)
        assert r.stderr.count("\n") == 1
        msg = r.stderr.rstrip("\n")
        assert re.match(r"^hull: [a-z-]", msg), msg
        assert not msg.endswith(".")


def test_unknown_command(hull):
    r = subprocess.run([hull, "frob"], capture_output=True, text=True, timeout=10)
    assert r.returncode == 125
    assert r.stderr.startswith("hull: unknown command 'frob'\n")


def test_not_root_without_user_namespace(hull, reachable_rootfs):
    setpriv = shutil.which("setpriv")
    if not setpriv:
        pytest.skip("setpriv (util-linux) not installed")
    r = subprocess.run([setpriv, "--reuid=65534", "--regid=65534", "--clear-groups",
                        hull, "run", reachable_rootfs, "true"], capture_output=True, text=True,
                       timeout=10)
    assert r.returncode == 125
    assert r.stderr == ("hull: cannot run as uid 65534 without a user namespace "
                        "(run as root or add --ns user): Operation not permitted\n")


def test_user_and_mount_namespace_without_pid_namespace(hull, rootfs):
    r = subprocess.run([hull, "run", "--ns", "user,mnt", rootfs, "true"],
                       capture_output=True, text=True, timeout=10)
    assert r.returncode == 125
    assert r.stderr == ("hull: cannot mount /proc in a user namespace without a pid namespace "
                        "(add pid to --ns, or --no-proc)\n")
    r = subprocess.run([hull, "run", "--ns", "user,mnt", "--no-proc", rootfs, "true"],
                       capture_output=True, text=True, timeout=10)
    assert r.returncode == 0, r.stderr
