"""hull run end to end: what the command sees inside the container, and
that the host is left exactly as it was."""
import json
import os
import shutil
import socket
import subprocess

import pytest

from conftest import host_mounts
from hostutil import traced_env

# Every way hull can build the container's root.
MODES = {
    "clone3-pivot": [],
    "fork-pivot": ["--spawn", "fork"],
    "clone3-chroot": ["--chroot"],
    "fork-chroot": ["--spawn", "fork", "--chroot"],
}


@pytest.fixture(params=list(MODES), ids=list(MODES))
def mode(request):
    return MODES[request.param]


def test_readme_example(run):
    r = run("/bin/sh", "-c", "hostname; echo $$; ls /proc")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.split()
    assert lines[0] == "hull"
    assert lines[1] == "1"
    pids = sorted(int(x) for x in lines[2:] if x.isdigit())
    # The shell (1) and ls; nothing of the host's hundreds of processes.
    assert pids[0] == 1 and len(pids) <= 3, pids


def test_hostname_inside_and_host_unchanged(run, mode):
    before = socket.gethostname()
    r = run(*mode, "--hostname", "box-42", "ROOTFS", "hostname")
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "box-42"
    assert socket.gethostname() == before


def test_default_hostname_is_hull(run):
    r = run("hostname")
    assert r.stdout.strip() == "hull"


def test_pid_one_and_only_container_processes(run, mode):
    r = run(*mode, "ROOTFS", "sh", "-c", "echo $$; ls /proc; :")
    assert r.returncode == 0, r.stderr
    out = r.stdout.split()
    assert out[0] == "1"
    pids = {int(x) for x in out[1:] if x.isdigit()}
    assert 1 in pids and len(pids) <= 3, pids
    assert os.getpid() not in pids or os.getpid() < 4


def test_root_is_the_rootfs_and_host_marker_unreachable(run, mode, tmp_path):
    marker = tmp_path / "host-marker"
    marker.write_text("host\n")
    r = run(*mode, "ROOTFS", "sh", "-c",
            f"cat /etc/hull-rootfs; test -e {marker} && echo LEAK || echo hidden")
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["hull-rootfs", "hidden"]


def test_old_root_is_gone_after_pivot(run):
    # pivot_root leaves no mount of the host in the container's table
    # (--privileged: without the masked paths, the table is the same on
    # every kernel).
    r = run("--privileged", "ROOTFS", "cat", "/proc/self/mountinfo")
    points = [line.split()[4] for line in r.stdout.splitlines()]
    assert sorted(points) == ["/", "/dev", "/dev/pts", "/proc", "/sys"], points


def test_host_mount_table_unchanged(run, mode):
    before = host_mounts()
    # --privileged: the default profile would refuse the mount itself.
    r = run(*mode, "--privileged", "ROOTFS", "sh", "-c", "mount -t tmpfs t /tmp && echo mounted")
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "mounted"
    assert host_mounts() == before


def test_minimal_dev(run):
    r = run("ls", "/dev")
    assert r.stdout.split() == sorted(
        "fd full null ptmx pts random shm stderr stdin stdout tty urandom zero".split())
    r = run("sh", "-c", "echo x > /dev/null && head -c 4 /dev/zero | wc -c; "
            "stat -c '%a %t,%T' /dev/null")
    assert r.stdout.split() == ["4", "666", "1,3"]


# /dev's nodes, modes and mounts, without what differs between two starts
# (times, mount ids, device numbers of the instances).
DEV_VIEW = ("stat -c '%n %a %F %t,%T %U:%G %N' /dev/* /dev/pts/*; "
            "grep ' /dev' /proc/self/mountinfo | cut -d' ' -f5-")
# strace makes hull's own /dev fail: its fsopen (the child then builds
# /dev) or the child's pidfd_getfd of it (the child builds its own too).
DEV_FALLBACKS = {"fsopen-fails": ["-e", "inject=fsopen:error=ENOSYS"],
                 "getfd-fails": ["-f", "-e", "inject=pidfd_getfd:error=EPERM"]}


def dev_view(hull, rootfs, *opts, strace=None):
    """(what the command sees of /dev, the phase marks of the start)."""
    r_fd, w_fd = os.pipe()
    prefix = ["strace", "-qq", "-o", "/dev/null", *strace] if strace else []
    try:
        r = subprocess.run([*prefix, hull, "run", "--trace-fd", str(w_fd), *opts, rootfs,
                            "sh", "-c", DEV_VIEW], pass_fds=(w_fd,), capture_output=True,
                           text=True, timeout=20, env=traced_env())
        os.close(w_fd)
        w_fd = -1
        with os.fdopen(r_fd) as f:
            r_fd = -1
            marks = [json.loads(line)["phase"] for line in f.read().splitlines()]
    finally:
        for fd in (r_fd, w_fd):
            if fd >= 0:
                os.close(fd)
    assert r.returncode == 0, r.stderr
    return r.stdout, marks


@pytest.mark.parametrize("fallback", [None, "shared", *DEV_FALLBACKS],
                         ids=["hull", "shared", *DEV_FALLBACKS])
def test_dev_is_the_same_whoever_builds_it(hull, rootfs, fallback):
    """Under --init (hull has work after the child's setup) /dev is built
    by hull while its child sets up and attached by the child; --spawn
    fork's child builds its own, so does a default start's child, which
    shares hull's memory while hull is suspended (shared); when hull's
    cannot be had, the child builds it. The command sees one /dev."""
    if os.geteuid() != 0:
        pytest.skip("needs root (namespaces, mounts)")
    if fallback in DEV_FALLBACKS and not shutil.which("strace"):
        pytest.skip("needs strace (apt install strace)")
    own, own_marks = dev_view(hull, rootfs, "--spawn", "fork")
    assert "dev_ready" in own_marks and "dev_attached" not in own_marks
    opts = [] if fallback == "shared" else ["--init"]
    got, marks = dev_view(hull, rootfs, *opts, strace=DEV_FALLBACKS.get(fallback))
    assert ("spawn_shared_vm" in marks) == (fallback == "shared"), marks
    if fallback:
        assert "dev_ready" in marks and "dev_attached" not in marks, marks
    else:
        assert "dev_attached" in marks and "dev_ready" not in marks, marks
    # mountinfo lists mounts in the order they were made: hull makes /dev
    # beside its child's own mounts.
    assert sorted(got.splitlines()) == sorted(own.splitlines())
    assert "/dev/null 666 character special file 1,3 root:root" in got
    assert "/dev rw,nosuid,noexec,relatime - tmpfs tmpfs rw,size=65536k,mode=755" in got


def test_lo_up_where_setns_takes_no_pidfd(hull, rootfs):
    """hull brings its child's lo up through setns on the clone's pidfd;
    before Linux 5.8 setns refuses a pidfd (EINVAL, forced here by strace
    on hull's first setns) and hull enters by /proc/PID/ns/net instead."""
    if os.geteuid() != 0:
        pytest.skip("needs root (namespaces, mounts)")
    if not shutil.which("strace"):
        pytest.skip("needs strace (apt install strace)")
    r = subprocess.run(["strace", "-qq", "-o", "/dev/null", "-e", "trace=setns",
                        "-e", "inject=setns:error=EINVAL:when=1", hull, "run", rootfs,
                        "cat", "/sys/class/net/lo/flags"],
                       capture_output=True, text=True, timeout=20, env=traced_env())
    assert r.returncode == 0, r.stderr
    assert int(r.stdout, 16) & 0x1  # IFF_UP


def test_stdin_stdout_stderr_pass_through(run):
    r = run("sh", "-c", "cat; echo to-err >&2", input="hello\nworld\n")
    assert r.returncode == 0
    assert r.stdout == "hello\nworld\n"
    assert r.stderr == "to-err\n"


def test_clean_environment(run, monkeypatch):
    monkeypatch.setenv("HULL_HOST_SECRET", "leak")
    monkeypatch.setenv("TERM", "xterm-test")
    r = run("/usr/bin/env")
    assert r.returncode == 0, r.stderr
    assert sorted(r.stdout.splitlines()) == sorted([
        "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        "HOME=/", "TERM=xterm-test", "HOSTNAME=hull"])


def test_env_option_adds_and_overrides(run, monkeypatch):
    monkeypatch.delenv("TERM", raising=False)
    r = run("--env", "FOO=bar baz", "--env", "HOME=/root", "--env", "FOO=last",
            "--env", "EMPTY=", "ROOTFS", "/usr/bin/env")
    env = dict(line.split("=", 1) for line in r.stdout.splitlines())
    assert env == {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                   "HOME": "/root", "HOSTNAME": "hull", "FOO": "last", "EMPTY": ""}


def test_path_lookup_uses_the_containers_path(run):
    # "busybox" is only in the rootfs's /bin; an --env PATH decides.
    r = run("--env", "PATH=/bin", "ROOTFS", "busybox", "true")
    assert r.returncode == 0, r.stderr
    r = run("--env", "PATH=/nonexistent", "ROOTFS", "busybox", "true")
    assert r.returncode == 127


def test_cwd(run):
    r = run("--cwd", "/etc", "ROOTFS", "pwd")
    assert r.stdout.strip() == "/etc"
    r = run("pwd")
    assert r.stdout.strip() == "/"


def test_cwd_missing_is_a_setup_error(run):
    r = run("--cwd", "/no/such/dir", "ROOTFS", "pwd")
    assert r.returncode == 125
    assert r.stderr == ("hull: cannot change to working directory '/no/such/dir': "
                        "No such file or directory\n")


def test_only_fds_0_1_2_reach_the_command(hull, rootfs, tmp_path):
    import subprocess
    leak = open(tmp_path / "leaked", "w")
    r = subprocess.run([hull, "run", "--trace-fd", str(leak.fileno()), rootfs,
                        "sh", "-c", "ls /proc/$$/fd; :"],
                       pass_fds=(leak.fileno(),), capture_output=True, text=True, timeout=20)
    leak.close()
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["0", "1", "2"]


def test_no_mount_namespace_mounts_nothing(run, tmp_path):
    before = host_mounts()
    r = run("--ns", "uts,pid", "-v", "ROOTFS", "sh", "-c", "cat /etc/hull-rootfs; ls /proc | wc -l")
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["hull-rootfs", "0"]  # chroot, /proc left empty
    assert "no mount namespace" in r.stderr
    assert host_mounts() == before


def test_no_proc(run):
    r = run("--no-proc", "ROOTFS", "sh", "-c", "ls /proc | wc -l")
    assert r.stdout.strip() == "0"


def test_version_and_help(hull):
    import subprocess
    v = subprocess.run([hull, "--version"], capture_output=True, text=True, timeout=5)
    assert v.returncode == 0 and v.stdout.startswith("hull ")
    h = subprocess.run([hull, "run", "--help"], capture_output=True, text=True, timeout=5)
    assert h.returncode == 0
    assert "--ns LIST" in h.stdout and "--trace-fd" in h.stdout
    assert max(len(line) for line in h.stdout.splitlines()) <= 80


def test_mounts_do_not_propagate_from_a_shared_tree(hull, rootfs, mode):
    """This host's mounts are private, so a missing MS_PRIVATE step would go
    unnoticed there. Recreate the common systemd layout (every mount shared)
    in a mount namespace of the test's own and compare its table before and
    after a container that mounts /proc, /dev and a tmpfs of its own."""
    import shutil
    import subprocess
    unshare = shutil.which("unshare")
    if not unshare:
        pytest.skip("unshare (util-linux) not installed")
    script = ('cat /proc/self/mountinfo > "$T/before"; '
              '"$HULL" run $MODE --privileged "$ROOTFS" sh -c "mount -t tmpfs t /tmp" || exit 9; '
              'cat /proc/self/mountinfo > "$T/after"')
    import tempfile
    with tempfile.TemporaryDirectory() as t:
        env = {"T": t, "HULL": hull, "ROOTFS": rootfs, "MODE": " ".join(mode),
               "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"}
        r = subprocess.run([unshare, "-m", "--propagation", "shared", "sh", "-c", script],
                           env=env, capture_output=True, text=True, timeout=20)
        assert r.returncode == 0, r.stderr
        before = open(f"{t}/before").read()
        after = open(f"{t}/after").read()
    assert "shared:" in before  # the namespace really is a shared tree
    assert after == before
