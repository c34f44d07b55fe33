"""hull-harness isolate: one container with the probe, judged property by
property against the host and against the rules."""
import json
import shutil
import subprocess

import pytest

from isohost import leftovers, parse_host_objects

PROPS = ["hostname", "pid", "mounts", "root", "propagation", "net", "ipc", "user", "cgroup",
         "time", "chroot_escape", "lo"]


def isolate(harness, *args, timeout=60):
    return subprocess.run([harness, "isolate", "-v", "--json", *args], capture_output=True,
                          text=True, timeout=timeout)


def verdicts(r):
    assert r.returncode in (0, 1), r.stderr
    cell = json.loads(r.stdout)
    return {k: v["verdict"] for k, v in cell["properties"].items()}, cell


def test_all_namespaces_isolate_everything(harness):
    r = isolate(harness, "--ns", "all")
    v, cell = verdicts(r)
    assert r.returncode == 0, r.stdout
    assert list(v) == PROPS
    assert set(v.values()) == {"isolated"}, cell
    assert cell["runtime"] == "hull" and cell["root_mode"] == "pivot_root"


def test_default_set(harness):
    r = isolate(harness)
    v, cell = verdicts(r)
    assert r.returncode == 0, r.stdout
    shared = {k for k, x in v.items() if x != "isolated"}
    # the default set leaves user, cgroup and time to the host, nothing else
    assert shared == {"user", "cgroup", "time"}, cell


ALL = ["mnt", "uts", "pid", "ipc", "net", "user", "cgroup", "time"]
# What leaving the namespace out flips. pid: its /proc then lists host
# processes, and /proc/<pid>/root of one leads out (chroot_escape); that
# needs no user ns (and hull cannot mount /proc from a user ns into the
# host's pid ns), so pid is measured without user.
OWN = {"uts": {"hostname"}, "pid": {"pid", "chroot_escape"}, "ipc": {"ipc"}, "net": {"net", "lo"},
       "user": {"user"}, "cgroup": {"cgroup"}, "time": {"time"}}


@pytest.mark.parametrize("ns", ALL)
def test_each_namespace_flips_its_own_properties(harness, ns):
    """Leaving one namespace out of the full set flips exactly its own
    properties (mnt: mounts, and hull falls back to chroot); observed
    verdicts equal the rules' in every run (exit 0)."""
    base = [n for n in ALL if not (ns == "pid" and n == "user")]
    r0 = isolate(harness, "--ns", ",".join(base))
    v0, cell0 = verdicts(r0)
    assert r0.returncode == 0, cell0
    assert set(v0.values()) == {"isolated"} or ns == "pid"
    r = isolate(harness, "--ns", ",".join(n for n in base if n != ns))
    v, cell = verdicts(r)
    assert r.returncode == 0, json.dumps(cell, indent=1)
    flipped = {k for k in v if v[k] != v0[k]}
    if ns == "mnt":
        assert "mounts" in flipped and cell["root_mode"] == "chroot"
        assert flipped <= {"mounts", "propagation", "chroot_escape"}
    else:
        assert flipped == OWN[ns], cell


def test_user_ns_without_pid_cannot_mount_proc(harness):
    """The rules expect hull not to start mnt+user without pid: a new user
    ns may not mount /proc for the host's pid ns."""
    r = subprocess.run([harness, "isolate", "--json", "--ns", "mnt,user"], capture_output=True,
                       text=True, timeout=60)
    cell = json.loads(r.stdout)
    assert cell["expected_started"] is False
    assert r.returncode == (0 if not cell["started"] else 1)


@pytest.mark.parametrize("spawn", ["clone3", "fork"])
@pytest.mark.parametrize("root", ["pivot_root", "chroot"])
def test_spawn_and_root_modes(harness, spawn, root):
    args = ["--ns", "all", "--spawn", spawn] + (["--chroot"] if root == "chroot" else [])
    r = isolate(harness, *args)
    v, cell = verdicts(r)
    assert r.returncode == 0, cell
    assert cell["root_mode"] == root and cell["spawn"] == spawn
    assert v["pid"] == v["mounts"] == v["net"] == "isolated"


def test_hull_brings_lo_up(harness):
    """lo is up and usable inside hull's own net namespace: the probe
    connects to a listener it opened on 127.0.0.1 inside. Without a net
    namespace the same check runs on the host's lo (shared)."""
    v, cell = verdicts(isolate(harness))
    assert v["lo"] == "isolated", cell
    detail = cell["properties"]["lo"]["detail"]
    assert detail.startswith("own net ns") and "lo up" in detail, detail
    assert "connected to its own 127.0.0.1:" in detail, detail
    r = isolate(harness, "--ns", "mnt,pid")
    v, cell = verdicts(r)
    assert r.returncode == 0, cell
    assert v["lo"] == "shared", cell
    assert cell["properties"]["lo"]["detail"].startswith("host's net ns")


def test_unshare_leaves_lo_down(harness):
    """unshare(1) makes the net namespace and nothing more: its lo stays
    down, the rules expect it (exit 0) and the verdict says so."""
    r = subprocess.run([harness, "isolate", "--json", "-r", "unshare"], capture_output=True,
                       text=True, timeout=60)
    if r.returncode == 2 and "not available" in r.stderr:
        pytest.skip(r.stderr.strip())
    v, cell = verdicts(r)
    assert r.returncode == 0, cell
    assert v["net"] == "isolated" and v["lo"] == "error", cell
    assert "lo down" in cell["properties"]["lo"]["detail"]


def test_seed_shows_its_holes(harness):
    r = isolate(harness, "--runtime", "seed")
    v, cell = verdicts(r)
    assert r.returncode == 0, cell  # observed == the rules' expectation
    assert cell["namespaces"] == "mnt,uts" and cell["root_mode"] == "chroot"
    assert v["pid"] == "shared"            # no pid namespace: /proc lists the host
    assert v["chroot_escape"] == "shared"  # chroot, CAP_SYS_CHROOT kept
    assert v["net"] == v["ipc"] == "shared"
    assert v["hostname"] == v["mounts"] == v["root"] == "isolated"
    assert cell["properties"]["pid"]["detail"].startswith("host's pid ns")


def test_seed_leaks_mounts_on_a_shared_host(harness):
    """No MS_PRIVATE: on a systemd-like shared mount its mounts reach the host."""
    r = isolate(harness, "--runtime", "seed", "--shared-rootfs")
    v, cell = verdicts(r)
    assert r.returncode == 0, cell
    assert v["propagation"] == "shared"
    obj = parse_host_objects(r.stderr)
    assert leftovers(obj) == []


def test_hull_keeps_mounts_private_on_a_shared_host(harness):
    r = isolate(harness, "--shared-rootfs")
    v, cell = verdicts(r)
    assert r.returncode == 0, cell
    assert v["propagation"] == "isolated"


def test_bare_is_shared_everywhere(harness):
    r = isolate(harness, "--runtime", "bare")
    v, cell = verdicts(r)
    assert r.returncode == 0, cell
    assert set(v.values()) == {"shared"}


def test_no_host_object_left_after_a_run(harness, rootfs):
    r = isolate(harness, "--ns", "none")  # the probe's mount lands on the host
    v, _ = verdicts(r)
    assert v["propagation"] in ("shared", "isolated")
    obj = parse_host_objects(r.stderr)
    assert leftovers(obj, rootfs) == []


@pytest.fixture
def broken_rootfs(tmp_path, build_dir):
    """A rootfs whose /bin/hull-probe is not the probe (it exits 127)."""
    root = tmp_path / "root"
    (root / "bin").mkdir(parents=True)
    shutil.copy(build_dir / "bin" / "hull-seed", root / "bin" / "hull-probe")
    yield root
    shutil.rmtree(tmp_path, ignore_errors=True)


def test_failed_run_reports_and_leaves_nothing(harness, broken_rootfs):
    r = subprocess.run([harness, "isolate", "-v", "--rootfs", str(broken_rootfs)],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 3, r.stdout + r.stderr
    assert "not started" in r.stdout
    obj = parse_host_objects(r.stderr)
    assert leftovers(obj, str(broken_rootfs)) == []


@pytest.mark.parametrize("runtime", ["unshare", "bwrap", "crun", "crun-cgroupfs", "runc"])
def test_other_runtimes_match_the_rules(harness, runtime):
    r = subprocess.run([harness, "isolate", "--json", "-r", runtime], capture_output=True,
                       text=True, timeout=60)
    if r.returncode == 2 and "not available" in r.stderr:
        pytest.skip(r.stderr.strip())
    v, cell = verdicts(r)
    assert r.returncode == 0, cell
    assert v["pid"] == v["net"] == v["mounts"] == "isolated"
    # bwrap, crun and runc bring lo up in the net namespace they make
    assert v["lo"] == ("error" if runtime == "unshare" else "isolated"), cell


def test_bad_usage(harness):
    for args in (["--ns", "bogus"], ["--runtime", "docker"], ["--spawn", "vfork"], ["extra"]):
        r = subprocess.run([harness, "isolate", *args], capture_output=True, text=True,
                           timeout=10)
        assert r.returncode == 2, args
        assert r.stderr.startswith("hull-harness: ") or "Usage" in r.stderr
