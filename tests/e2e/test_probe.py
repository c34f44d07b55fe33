"""hull-probe: the static program that looks around inside a container."""
import json
import re
import subprocess

import pytest

FIELDS = {"t_entry_ns", "schema", "pid", "ppid", "uid", "gid", "euid", "egid", "hostname",
          "domainname", "ns", "proc", "mounts", "root", "marker", "ifaces", "connect", "shm",
          "mqueue", "uid_map", "gid_map", "setgroups", "cgroup", "timens_offsets", "fds", "caps",
          "mount_test", "escape"}


@pytest.fixture
def probe(build_dir):
    return str(build_dir / "bin" / "hull-probe")


def test_stamp_prints_only_the_entry_stamp(probe):
    r = subprocess.run([probe, "--stamp"], capture_output=True, text=True, timeout=10)
    assert r.returncode == 0
    assert re.fullmatch(r'\{"t_entry_ns":\d+\}\n', r.stdout)
    assert r.stderr == ""


def test_probe_is_static(probe, rootfs):
    out = subprocess.run(["readelf", "-d", probe], capture_output=True, text=True,
                         timeout=10).stdout
    assert "NEEDED" not in out
    # and it is the one installed in the rootfs
    with open(probe, "rb") as a, open(f"{rootfs}/bin/hull-probe", "rb") as b:
        assert a.read() == b.read()


def test_probe_on_the_host_has_every_field(probe):
    r = subprocess.run([probe, "--marker", "/etc/hostname"], capture_output=True, text=True,
                       timeout=10)
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    assert FIELDS <= d.keys()
    assert d["marker"]["reachable"] is True
    assert set(d["ns"]) == {"mnt", "uts", "pid", "ipc", "net", "user", "cgroup", "time"}
    assert all(v and v["ino"] > 0 for v in d["ns"].values())
    assert d["escape"]["attempted"] is False  # only with --escape


def test_probe_in_a_container(run):
    r = run("--ns", "all", "ROOTFS", "/bin/hull-probe")
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    assert d["pid"] == 1
    assert d["hostname"] == "hull"
    assert d["root"]["rootfs_marker"] is True
    assert [i["name"] for i in d["ifaces"]] == ["lo"]


def test_probe_without_proc_still_names_its_namespaces(run):
    # no mnt ns: hull mounts no /proc, the probe uses pidfd ioctls
    r = run("--ns", "uts", "ROOTFS", "/bin/hull-probe")
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    assert d["proc"]["mounted"] is False
    assert all(v and v["via"] == "pidfd" for v in d["ns"].values())


def test_probe_rejects_bad_arguments(probe):
    for args in (["--port", "0"], ["--port", "x"], ["--mount-test", "a/b"], ["extra"]):
        r = subprocess.run([probe, *args], capture_output=True, text=True, timeout=10)
        assert r.returncode == 2, args
        assert r.stdout == ""
