"""Shared fixtures for the end-to-end tests: the built binaries, the default
rootfs, and process factories that never leave anything running.

HULL_BUILD selects the build directory (default: build/ in the repository),
so parallel builds (make BUILD=/tmp/x e2e) test their own binaries."""
import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
# The host-side helpers the soak shares (tests/pylib/hostutil.py).
sys.path.insert(0, str(REPO / "tests" / "pylib"))
import hostutil  # noqa: E402
BUILD = Path(os.environ.get("HULL_BUILD", REPO / "build")).resolve()

# Other suites run on this machine at the same time (other checkouts' make
# test, benches): their mounts come and go under their own temp dirs. The
# before/after mount comparisons leave those out; whatever a test of this
# session leaks lands below this checkout, this session's pytest temp dir,
# a temp dir it made itself or a host path, all still compared.
OWN_TMP = []  # this session's pytest base temp dir (set by the fixture below)


def foreign_mount(point):
    """True for a mount point under another suite's temp area: another
    pytest session's base temp dir, a shell mktemp -d dir (/tmp/tmp.*, which
    no test here makes), containerd's transient mounts, the isolation
    harness's marker dirs, another checkout beside this one."""
    p = Path(point)
    if any(p == own or own in p.parents for own in [REPO, *OWN_TMP]):
        return False
    parts = p.parts
    if len(parts) >= 3 and parts[1] == "tmp":
        top = parts[2]
        if top.startswith("pytest-of-") or top.startswith(("tmp.", "containerd-mount",
                                                            "hull-iso-")):
            return True
    if len(parts) >= 3 and parts[1] == "run" and parts[2].startswith("hull-iso-"):
        return True
    return REPO.parent != Path("/") and REPO.parent in p.parents and p != REPO.parent


def host_mounts():
    """The mount table, sorted, without other suites' mounts (foreign_mount):
    compare before and after a test."""
    return [m for m in hostutil.host_mounts() if not foreign_mount(m[0])]


@pytest.fixture(scope="session", autouse=True)
def own_tmp(tmp_path_factory):
    OWN_TMP.append(tmp_path_factory.getbasetemp().resolve())
    yield


# hull makes these base directories on demand (address leases, pools,
# cgroup intent records, and /run/hull itself); the ones this session made
# are removed again when they are empty, innermost first.
RUN_BASES = [Path("/run/hull/net/cni"), Path("/run/hull/net"), Path("/run/hull/pool"),
             Path("/run/hull/cgroups"), Path("/run/hull")]


@pytest.fixture(scope="session", autouse=True)
def run_bases_left_as_found():
    existed = {d for d in RUN_BASES if d.exists()}
    yield
    for d in RUN_BASES:
        if d not in existed:
            try:
                d.rmdir()  # only when empty: a leftover inside stays visible
            except OSError:
                pass


@pytest.fixture(scope="session", autouse=True)
def seccomp_cache_in_a_temp_dir():
    """hull keeps compiled OCI seccomp filters in /var/cache/hull/seccomp;
    the tests' hull processes use a directory of their own instead. hull
    started by podman or containerd does not see this environment: the
    default directory, when this session made it, is removed again."""
    default = Path("/var/cache/hull")
    existed = default.exists()
    d = tempfile.mkdtemp(prefix="hull-e2e-seccomp-cache-")
    old = os.environ.get("HULL_SECCOMP_CACHE_DIR")
    os.environ["HULL_SECCOMP_CACHE_DIR"] = d
    yield
    if old is None:
        os.environ.pop("HULL_SECCOMP_CACHE_DIR", None)
    else:
        os.environ["HULL_SECCOMP_CACHE_DIR"] = old
    shutil.rmtree(d, ignore_errors=True)
    if not existed:
        shutil.rmtree(default, ignore_errors=True)


def pytest_collection_modifyitems(config, items):
    if os.geteuid() != 0:
        skip = pytest.mark.skip(reason="needs root (namespaces, mounts)")
        for item in items:
            if "rootless" not in item.keywords:
                item.add_marker(skip)


@pytest.fixture(scope="session")
def build_dir():
    return BUILD


@pytest.fixture(scope="session")
def hull():
    path = BUILD / "bin" / "hull"
    if not path.exists():
        pytest.fail(f"{path} is not built (run make)")
    return str(path)


@pytest.fixture(scope="session")
def harness():
    path = BUILD / "bin" / "hull-harness"
    if not path.exists():
        pytest.fail(f"{path} is not built (run make)")
    return str(path)


@pytest.fixture(scope="session")
def rootfs():
    path = BUILD / "rootfs"
    if not (path / "bin" / "busybox").exists():
        pytest.fail(f"{path} is not built (run make rootfs)")
    return str(path)


def searchable_by_anyone(path):
    """True when every directory above path lets any user walk through it."""
    p = Path(path).resolve()
    return all(os.stat(d).st_mode & stat.S_IXOTH for d in p.parents)


@pytest.fixture(scope="session")
def reachable_rootfs(rootfs):
    """The default rootfs where any user can reach it, for tests that run hull
    as an unprivileged user. A checkout may live below a 0700 directory (/root
    on a fresh machine), which such a user may not walk through whatever hull
    does, so these tests use a copy in a fresh world-searchable directory,
    removed after the session: they pass wherever the checkout is."""
    top = tempfile.mkdtemp(prefix="hull-rootfs-")
    try:
        os.chmod(top, 0o755)
        if not searchable_by_anyone(top + "/rootfs"):
            pytest.skip(f"no directory any user can reach for a rootfs copy ({top}; set TMPDIR)")
        subprocess.run(["cp", "-a", rootfs, top + "/rootfs"], check=True, timeout=60)
        yield top + "/rootfs"
    finally:
        shutil.rmtree(top, ignore_errors=True)


@pytest.fixture
def run(hull, rootfs):
    """run(*hull_run_args_and_command, **subprocess_kwargs) -> CompletedProcess.

    Builds `hull run [OPTS] ROOTFS CMD...`: every argument before the literal
    "ROOTFS" is an option; without it the rootfs goes first."""

    def _run(*args, timeout=20, **kw):
        args = list(args)
        if "ROOTFS" in args:
            args[args.index("ROOTFS")] = rootfs
        else:
            args.insert(0, rootfs)
        kw.setdefault("capture_output", True)
        kw.setdefault("text", True)
        return subprocess.run([hull, "run", *args], timeout=timeout, **kw)

    return _run


@pytest.fixture
def spawn():
    """spawn(argv, **popen_kwargs) -> Popen in its own process group; every
    group still alive at teardown is SIGKILLed and reaped."""
    procs = []

    def _spawn(argv, **kw):
        kw.setdefault("start_new_session", True)
        p = subprocess.Popen(argv, **kw)
        procs.append(p)
        return p

    yield _spawn
    for p in procs:
        if p.poll() is None:
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        try:
            p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        for stream in (p.stdin, p.stdout, p.stderr):
            if stream:
                stream.close()
