"""podman with hull as its OCI runtime: the engine a user would put in
front of hull. podman (with conmon) drives hull exactly as it drives crun
or runc: create --console-socket/--pid-file, start, exec --detach, kill,
pause/resume, delete --force, with --log-format=json --log FILE.

Everything lives in a temp dir of the module: podman's storage
(--root/--runroot/--tmpdir, vfs driver: no overlay mounts), a
containers.conf of the test's own (CONTAINERS_CONF) registering hull under
[engine.runtimes] and in runtime_supports_json/nocgroups, the image
imported from build/rootfs with `podman import`. The module's finalizer
removes every container (podman rm -f), the storage, and checks that
/proc/self/mountinfo is as it was. Skipped with a reason without podman."""
import os
import shutil
import subprocess
import tarfile

import pytest

from conftest import host_mounts

T = 60  # seconds per podman call (the first one sets up storage)
IMAGE = "localhost/hull-e2e:latest"

pytestmark = pytest.mark.skipif(
    not shutil.which("podman") or not shutil.which("conmon")
    and not os.path.exists("/usr/libexec/podman/conmon"),
    reason="podman (with conmon) not installed: apt-get install podman")


def mounts():
    """The mount table without other suites' mounts (conftest.host_mounts)."""
    return host_mounts()


class Podman:
    def __init__(self, hull, rootfs, tmp):
        self.tmp = tmp
        conf = tmp / "containers.conf"
        conf.write_text(
            "[containers]\n"
            'default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]\n'
            "[engine]\n"
            'runtime = "hull"\n'
            'runtime_supports_json = ["crun", "runc", "hull"]\n'
            'runtime_supports_nocgroups = ["crun", "hull"]\n'
            "[engine.runtimes]\n"
            f'hull = ["{hull}"]\n')
        self.env = dict(os.environ, CONTAINERS_CONF=str(conf))
        self.base = ["podman", "--root", str(tmp / "root"), "--runroot", str(tmp / "runroot"),
                     "--tmpdir", str(tmp / "tmp"), "--storage-driver", "vfs",
                     "--runtime", "hull", "--cgroup-manager", "cgroupfs",
                     "--events-backend", "none"]
        tar = tmp / "rootfs.tar"
        with tarfile.open(tar, "w") as t:
            t.add(rootfs, arcname=".")
        r = self("import", str(tar), IMAGE)
        assert r.returncode == 0, r.stderr

    def __call__(self, *args, timeout=T, **kw):
        kw.setdefault("capture_output", True)
        kw.setdefault("text", True)
        return subprocess.run(self.base + list(args), env=self.env, timeout=timeout, **kw)

    def cleanup(self):
        self("rm", "-a", "-f", "-t", "0")
        self("system", "reset", "-f")
        subprocess.run(["umount", "-R", str(self.tmp / "root")], capture_output=True)
        subprocess.run(["umount", "-R", str(self.tmp / "runroot")], capture_output=True)
        shutil.rmtree(self.tmp, ignore_errors=True)


@pytest.fixture(scope="module")
def podman(hull, rootfs, tmp_path_factory):
    before = mounts()
    p = Podman(hull, rootfs, tmp_path_factory.mktemp("podman"))
    yield p
    p.cleanup()
    assert mounts() == before, "podman or hull left mounts behind"


def test_run_true(podman):
    r = podman("run", "--rm", "--network", "none", IMAGE, "/bin/true")
    assert r.returncode == 0, r.stderr


def test_run_stdout_and_exit_code(podman):
    r = podman("run", "--rm", "--network", "none", IMAGE, "sh", "-c", "echo hello; exit 7")
    assert r.returncode == 7, r.stderr
    assert r.stdout == "hello\n"


def test_run_stdin(podman):
    r = podman("run", "--rm", "-i", "--network", "none", IMAGE, "sh", "-c", "tr a-z A-Z",
               input="piped in\n")
    assert r.returncode == 0, r.stderr
    assert r.stdout == "PIPED IN\n"


def test_run_tty(podman):
    # podman -t needs a terminal of its own: run it under script(1)'s pty.
    if not shutil.which("script"):
        pytest.skip("script(1) (util-linux) not installed")
    cmd = " ".join(podman.base) + f" run --rm -t --network none {IMAGE} sh -c " \
        "'[ -t 0 ] && [ -t 1 ] && echo tty-$((6*7))'"
    r = subprocess.run(["script", "-qec", cmd, "/dev/null"], env=podman.env,
                       capture_output=True, text=True, timeout=T, stdin=subprocess.DEVNULL)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "tty-42" in r.stdout


@pytest.fixture
def detached(podman):
    r = podman("run", "-d", "--network", "none", IMAGE, "sh", "-c",
               "trap 'echo got-usr1' USR1; trap 'exit 0' TERM; echo ready; "
               "while :; do sleep 0.1; done")
    assert r.returncode == 0, r.stderr
    cid = r.stdout.strip()
    # The shell is PID 1: a signal that arrives before its traps are set is
    # dropped by the kernel. "ready" comes after them.
    from hostutil import wait_until
    assert wait_until(lambda: "ready" in podman("logs", cid).stdout, 20)
    yield cid
    podman("rm", "-f", "-t", "0", cid)


def test_exec(podman, detached):
    r = podman("exec", detached, "sh", "-c", "echo in-$(hostname); exit 4")
    assert r.returncode == 4, r.stderr
    assert r.stdout == f"in-{detached[:12]}\n"
    r = podman("exec", detached, "cat", "/proc/1/cmdline")
    assert r.stdout.startswith("sh\0-c\0trap")


def test_exec_tty(podman, detached):
    if not shutil.which("script"):
        pytest.skip("script(1) (util-linux) not installed")
    cmd = " ".join(podman.base) + f" exec -t {detached} sh -c '[ -t 1 ] && echo etty-$((5*5))'"
    r = subprocess.run(["script", "-qec", cmd, "/dev/null"], env=podman.env,
                       capture_output=True, text=True, timeout=T, stdin=subprocess.DEVNULL)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "etty-25" in r.stdout


def test_pause_unpause(podman, detached):
    r = podman("pause", detached)
    assert r.returncode == 0, r.stderr
    r = podman("inspect", "-f", "{{.State.Status}}", detached)
    assert r.stdout.strip() == "paused"
    r = podman("unpause", detached)
    assert r.returncode == 0, r.stderr
    r = podman("inspect", "-f", "{{.State.Status}}", detached)
    assert r.stdout.strip() == "running"


def test_kill_usr1_then_stop_and_rm(podman, detached):
    r = podman("kill", "-s", "USR1", detached)
    assert r.returncode == 0, r.stderr
    for _ in range(50):
        if "got-usr1" in podman("logs", detached).stdout:
            break
        subprocess.run(["sleep", "0.1"], timeout=T)
    assert "got-usr1" in podman("logs", detached).stdout
    r = podman("stop", "-t", "5", detached)
    assert r.returncode == 0, r.stderr
    r = podman("inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", detached)
    assert r.stdout.split() == ["exited", "0"]  # TERM was trapped: exit 0
    r = podman("rm", detached)
    assert r.returncode == 0, r.stderr
    assert podman("ps", "-a", "-q").stdout.strip() == ""
