"""The runc commands containerd's runc.v2 shim calls, in the shim's own words
(github.com/containerd/go-runc v1.0.0, containerd 1.6 pkg/process):
`ps --format json ID` (a JSON array of pids), `ps --format table ID`,
`update --resources -|FILE ID`, `kill [--all] ID SIG` with the error texts
the shim maps to "not found" ("container not running", "does not exist"),
`delete --force` in every state, `--systemd-cgroup` (the unit's path where
systemd does not run, refused where it does), and the device
rules and nodes of containerd's specs (linux.resources.devices,
linux.devices). Each test has its own --root and bundle (test_oci's Oci)."""
import json
import os
import subprocess
from pathlib import Path

import pytest

from hostutil import wait_until
from test_oci import (LOOP, Oci, cgroup_dirs, oci, trap_installed,  # noqa: F401
                      unique_id, wait_exit)

T = 20
NAMESPACES = [{"type": t} for t in ("pid", "mount", "uts", "ipc")]


def start(oci, cid, args=LOOP, **edits):
    b = oci.bundle(args, name=f"b-{cid}", **edits)
    r, out = oci.create(b, cid)
    assert r.returncode == 0, out.read_text()
    r = oci("start", cid)
    assert r.returncode == 0, r.stderr
    if args is LOOP:
        trap_installed(out)
    return oci.state(cid)["pid"], out


def v1_dir(controller, cid):
    d = Path("/sys/fs/cgroup") / controller / "hull-oci" / cid
    if not d.is_dir():
        pytest.skip(f"no cgroup v1 {controller} hierarchy on this host")
    return d


def test_ps_json_and_table(oci):
    cid = unique_id("ps1")
    pid, _ = start(oci, cid, ["sh", "-c", "sleep 100 & sleep 100 & wait"])
    assert wait_until(lambda: len(json.loads(oci("ps", "--format", "json", cid).stdout)) == 3,
                      10)
    r = oci("ps", "--format", "json", cid)
    assert r.returncode == 0, r.stderr
    pids = json.loads(r.stdout)
    assert pid in pids and len(pids) == 3 and pids == sorted(pids)
    r = oci("ps", cid)  # table is the default, as runc's
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert "PID" in lines[0].split()
    assert sorted(int(line.split()[1]) for line in lines[1:]) == pids
    r = oci("ps", "--format", "json", "nosuch")
    assert r.returncode == 1 and "does not exist" in r.stderr
    r = oci("ps", "--format", "yaml", cid)
    assert r.returncode == 1 and "invalid format 'yaml'" in r.stderr


def test_update_resources(oci, tmp_path):
    cid = unique_id("up1")
    start(oci, cid, linux={"namespaces": NAMESPACES,
                             "resources": {"memory": {"limit": 64 << 20}}})
    mem, cpu, pids = v1_dir("memory", cid), v1_dir("cpu", cid), v1_dir("pids", cid)
    res = {"memory": {"limit": 128 << 20}, "cpu": {"shares": 512, "quota": 20000,
                                                  "period": 100000},
           "pids": {"limit": 50}}
    r = oci("update", "--resources", "-", cid, input=json.dumps(res))
    assert r.returncode == 0, r.stderr
    assert int((mem / "memory.limit_in_bytes").read_text()) == 128 << 20
    assert int((cpu / "cpu.shares").read_text()) == 512
    assert int((cpu / "cpu.cfs_quota_us").read_text()) == 20000
    assert (pids / "pids.max").read_text().strip() == "50"
    f = tmp_path / "res.json"
    f.write_text(json.dumps({"memory": {"limit": 96 << 20}}))
    r = oci("update", "--resources", str(f), cid)
    assert r.returncode == 0, r.stderr
    assert int((mem / "memory.limit_in_bytes").read_text()) == 96 << 20
    assert int((cpu / "cpu.shares").read_text()) == 512  # left out: left alone
    # Bad input: one line naming what is wrong, nothing changed.
    for text, words in [("{\"memory\": ", "cannot parse '<stdin>'"),
                        ("{\"network\": {\"classID\": 10}}", "'linux.resources.network'"),
                        # v1: made only for its limits, so none to update
                        ("{\"blockIO\": {\"weight\": 10}}",
                         "cannot update: the container has no 'blkio' cgroup"),
                        ("{\"cpu\": {\"shares\": 1}}", "'linux.resources.cpu.shares'")]:
        r = oci("update", "--resources", "-", cid, input=text)
        assert r.returncode == 1 and words in r.stderr, (text, r.stderr)
    assert int((mem / "memory.limit_in_bytes").read_text()) == 96 << 20
    r = oci("update", "--memory", "1g", cid)
    assert r.returncode == 1 and "--resources" in r.stderr


def test_kernel_memory_v1(oci):
    """memory.kernelTCP and memory.kernel onto v1's kmem files (the kernel
    decides what they still do: kmem.limit_in_bytes takes the value and,
    since 5.16, ignores it); update too."""
    cid = unique_id("km1")
    start(oci, cid, linux={"namespaces": NAMESPACES,
                             "resources": {"memory": {"kernelTCP": 48 << 20,
                                                      "kernel": 48 << 20}}})
    mem = v1_dir("memory", cid)
    if not (mem / "memory.kmem.tcp.limit_in_bytes").exists():
        pytest.skip("this kernel has no memory.kmem.tcp.limit_in_bytes")
    assert int((mem / "memory.kmem.tcp.limit_in_bytes").read_text()) == 48 << 20
    r = oci("update", "--resources", "-", cid,
            input=json.dumps({"memory": {"kernelTCP": 32 << 20}}))
    assert r.returncode == 0, r.stderr
    assert int((mem / "memory.kmem.tcp.limit_in_bytes").read_text()) == 32 << 20


def whole_disk():
    """major, minor of a whole disk (blkio throttles take no partitions)."""
    for d in sorted(Path("/sys/block").iterdir()):
        if not d.name.startswith(("loop", "ram", "zram")) and (d / "dev").exists():
            return tuple(int(x) for x in (d / "dev").read_text().split(":"))
    pytest.skip("no block device in /sys/block")


def test_blkio_throttles_on_v1(oci):
    """blockIO's throttles onto v1's blkio.throttle.* files, in a blkio
    cgroup made for them (and only then), removed with the container."""
    root = Path("/sys/fs/cgroup/blkio")
    if not (root / "blkio.throttle.read_bps_device").exists():
        pytest.skip("no cgroup v1 blkio hierarchy with throttles on this host")
    major, minor = whole_disk()
    dev = {"major": major, "minor": minor}
    cid = unique_id("bio")
    start(oci, cid, linux={"namespaces": NAMESPACES, "resources": {"blockIO": {
        "throttleReadBpsDevice": [dict(dev, rate=1 << 20)],
        "throttleWriteIOPSDevice": [dict(dev, rate=77)]}}})
    d = v1_dir("blkio", cid)
    assert (d / "blkio.throttle.read_bps_device").read_text().split() == \
        [f"{major}:{minor}", str(1 << 20)]
    assert (d / "blkio.throttle.write_iops_device").read_text().split() == \
        [f"{major}:{minor}", "77"]
    assert (d / "blkio.throttle.write_bps_device").read_text() == ""
    pid = oci.state(cid)["pid"]
    assert str(pid) in (d / "cgroup.procs").read_text().split()
    assert oci("delete", "--force", cid).returncode == 0
    assert cgroup_dirs("hull-oci", cid) == []


def test_memory_alone_leaves_blkio_alone(oci):
    """Without block I/O limits the container joins no blkio cgroup: one
    cgroup move less per start."""
    if not Path("/sys/fs/cgroup/blkio").is_dir():
        pytest.skip("no cgroup v1 blkio hierarchy on this host")
    cid = unique_id("nob")
    start(oci, cid, linux={"namespaces": NAMESPACES,
                           "resources": {"memory": {"limit": 64 << 20}}})
    assert v1_dir("memory", cid).is_dir()
    assert not (Path("/sys/fs/cgroup/blkio/hull-oci") / cid).exists()
    assert oci("delete", "--force", cid).returncode == 0


def weightless_blkio():
    root = Path("/sys/fs/cgroup/blkio")
    return root.is_dir() and not (root / "blkio.weight").exists() and \
        not (root / "blkio.bfq.weight").exists()


@pytest.mark.parametrize("res,words,applies", [
    ({"blockIO": {"weight": 500}},
     "cannot set a block I/O weight: cgroup v1 blkio has neither blkio.weight nor "
     "blkio.bfq.weight", weightless_blkio),
    ({"hugepageLimits": [{"pageSize": "2MB", "limit": 4194304}]},
     "cgroup controller 'hugetlb' is not available",
     lambda: not Path("/sys/fs/cgroup/hugetlb").exists()),
    ({"rdma": {"mlx5_1": {"hcaHandles": 3}}},
     "cgroup controller 'rdma' is not available",
     lambda: not Path("/sys/fs/cgroup/rdma").exists())], ids=["blkio-weight", "hugetlb", "rdma"])
def test_v1_limits_this_host_cannot_honour(oci, res, words, applies):
    """What this v1 host lacks (a weight-capable I/O scheduler, the hugetlb
    and rdma hierarchies; vm/guest/oci.sh checks v2's io, hugetlb, rdma):
    create refuses in one line, leaving no state and no cgroup."""
    if not Path("/sys/fs/cgroup/memory").is_dir():
        pytest.skip("not a cgroup v1 host")
    if not applies():
        pytest.skip("this host can honour it")
    b = oci.bundle(LOOP, name="b-v1no", linux={"namespaces": NAMESPACES, "resources": res})
    cid = unique_id("v1n")
    r, out = oci.create(b, cid)
    assert r.returncode == 1
    assert words in out.read_text()
    assert oci("state", cid).returncode == 1
    assert cgroup_dirs("hull-oci", cid) == []


def test_kill_texts_the_shim_understands(oci):
    cid = unique_id("k1")
    pid, _ = start(oci, cid)
    r = oci("kill", cid, "KILL")
    assert r.returncode == 0, r.stderr
    wait_exit(pid)
    assert oci.state(cid)["status"] == "stopped"
    r = oci("kill", cid, "9")
    assert r.returncode == 1 and "container not running" in r.stderr
    r = oci("kill", "--all", cid, "9")  # what the shim sends after every exit
    assert r.returncode == 0, r.stderr
    r = oci("kill", "nosuch", "9")
    assert r.returncode == 1 and "does not exist" in r.stderr


def test_kill_all_reaches_children_and_paused(oci):
    cid = unique_id("ka")
    start(oci, cid, ["sh", "-c", "sleep 100 & sleep 100 & wait"])
    assert wait_until(lambda: len(json.loads(oci("ps", "--format", "json", cid).stdout)) == 3,
                      10)
    children = json.loads(oci("ps", "--format", "json", cid).stdout)
    assert oci("pause", cid).returncode == 0
    r = oci("kill", "--all", cid, "KILL")
    assert r.returncode == 0, r.stderr
    for p in children:
        wait_exit(p)
    assert oci.state(cid)["status"] == "stopped"


@pytest.mark.parametrize("state", ["created", "running", "paused", "stopped"])
def test_delete_force_in_every_state(oci, state):
    cid = unique_id("df")
    b = oci.bundle(LOOP, name="bd")
    r, out = oci.create(b, cid)
    assert r.returncode == 0, out.read_text()
    pid = oci.state(cid)["pid"]
    if state != "created":
        assert oci("start", cid).returncode == 0
        trap_installed(out)
    if state == "paused":
        assert oci("pause", cid).returncode == 0
    if state == "stopped":
        assert oci("kill", cid, "KILL").returncode == 0
        wait_exit(pid)
    assert oci.state(cid)["status"] == state
    r = oci("delete", "--force", cid)
    assert r.returncode == 0, r.stderr
    wait_exit(pid)
    assert oci("state", cid).returncode == 1
    assert cgroup_dirs("hull-oci", cid) == []
    r = oci("delete", "--force", cid)  # gone already: as runc, no error
    assert r.returncode == 0, r.stderr


SYSTEMD = os.path.exists("/run/systemd/system")


@pytest.mark.skipif(not SYSTEMD, reason="systemd is not the init here: the flag is accepted")
def test_systemd_cgroup_refused_where_systemd_runs(oci, tmp_path):
    cid = unique_id("sd1")
    log = tmp_path / "log.json"
    b = oci.bundle(["true"])
    r = oci("--log", str(log), "--log-format", "json", "--systemd-cgroup", "create",
            "--bundle", b, cid)
    assert r.returncode == 1
    assert "--systemd-cgroup is not supported where systemd runs" in r.stderr
    entry = json.loads(log.read_text().splitlines()[-1])
    assert entry["level"] == "error" and "--systemd-cgroup" in entry["msg"]
    assert not os.path.exists(os.path.join(oci.root, cid))


def test_events_and_checkpoint_refused(oci):
    cid = unique_id("sd1")
    for cmd in ("events", "checkpoint"):
        r = oci(cmd, cid)
        assert r.returncode == 1 and f"'{cmd}' is not supported" in r.stderr


@pytest.mark.skipif(SYSTEMD, reason="systemd runs here: the flag is refused")
def test_systemd_cgroup_without_systemd_uses_the_units_path(oci, tmp_path):
    """containerd with SystemdCgroup = true: every verb carries
    --systemd-cgroup and cgroupsPath is slice:prefix:name. Without systemd
    the cgroup is where systemd would have put the unit: the slice
    expanded, prefix-name.scope."""
    cid = unique_id("sd2")
    slice_dirs = [h / "hulle2e.slice" for h in Path("/sys/fs/cgroup").iterdir()]
    existed = [d for d in slice_dirs if d.exists()]
    b = oci.bundle(LOOP, linux={"namespaces": NAMESPACES,
                                "cgroupsPath": f"hulle2e-sub.slice:e2e:{cid}"})
    sd = ["--systemd-cgroup"]
    try:
        oci.ids.add(cid)
        out = tmp_path / f"{cid}.out"
        with open(out, "w") as o:
            r = subprocess.run(
                [oci.hull, "--root", oci.root, *sd, "create", "--bundle", b, cid],
                stdin=subprocess.DEVNULL, stdout=o,
                stderr=subprocess.STDOUT, timeout=T)
        assert r.returncode == 0, out.read_text()
        assert oci(*sd, "start", cid).returncode == 0
        trap_installed(out)
        pid = oci.state(cid)["pid"]
        dirs = cgroup_dirs("hulle2e.slice/hulle2e-sub.slice", f"e2e-{cid}.scope")
        assert dirs, "no cgroup at the unit's path"
        for d in dirs:
            assert str(pid) in (d / "cgroup.procs").read_text().split()
        r = oci(*sd, "ps", "--format", "json", cid)
        assert r.returncode == 0 and pid in json.loads(r.stdout), r.stderr
        assert oci(*sd, "kill", "--all", cid, "KILL").returncode == 0
        wait_exit(pid)
        r = oci(*sd, "delete", cid)
        assert r.returncode == 0, r.stderr
        assert cgroup_dirs("hulle2e.slice/hulle2e-sub.slice", f"e2e-{cid}.scope") == []
        b2 = oci.bundle(["true"], name="b-sd3", linux={"namespaces": NAMESPACES,
                                                      "cgroupsPath": "hulle2e.slice:x"})
        r = oci(*sd, "run", "--bundle", b2, unique_id("sd3"))
        assert r.returncode != 0 and "slice:prefix:name" in r.stderr
    finally:
        oci("delete", "--force", cid)
        for d in slice_dirs:  # the slices the test made, once empty (another
            if d not in existed and d.exists():  # suite's scope may be in them)
                for sub in [*sorted(d.rglob("*.slice"), reverse=True), d]:
                    try:
                        sub.rmdir()
                    except OSError:
                        pass


def test_device_rules_and_nodes(oci):
    """containerd --privileged and --device: nodes made in /dev with the
    config's numbers and mode; the device cgroup denies what is not allowed."""
    cid = unique_id("dev1")
    linux = {"namespaces": NAMESPACES,
             "devices": [{"path": "/dev/fuse", "type": "c", "major": 10, "minor": 229,
                          "fileMode": 0o640, "uid": 0, "gid": 0},
                         {"path": "/dev/net/tun", "type": "c", "major": 10, "minor": 200}],
             "resources": {"devices": [{"allow": False, "access": "rwm"},
                                       {"allow": True, "type": "c", "major": 10,
                                        "minor": 229, "access": "rw"}]}}
    b = oci.bundle(["sh", "-c", "ls -ln /dev/fuse /dev/net/tun; (: < /dev/fuse) && echo fuse;"
                    " (: < /dev/net/tun) && echo tun; (: < /dev/null) && echo null; exit 0"],
                   name="bdev", linux=linux)
    r = oci("run", "--bundle", b, cid)
    oci.ids.add(cid)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].startswith("crw-r-----") and "10, 229" in lines[0], lines
    assert "10, 200" in lines[1], lines
    assert lines[2:] == ["fuse", "null"], (lines, r.stderr)  # tun: denied by the cgroup
    assert "Operation not permitted" in r.stderr


def test_device_outside_dev_refused(oci):
    cid = unique_id("out1")
    linux = {"namespaces": [{"type": "mount"}],
             "devices": [{"path": "/etc/fuse", "type": "c", "major": 10, "minor": 229}]}
    b = oci.bundle(["true"], name="bout", linux=linux)
    r, out = oci.create(b, cid)
    assert r.returncode == 1
    assert "'linux.devices[0].path'" in out.read_text()
    assert oci("state", cid).returncode == 1
    assert not (Path(oci.rootfs) / "etc" / "fuse").exists()


def test_non_root_user_keeps_its_capabilities(oci):
    """process_user of runtime-tools: uid 1000 with the bounding set as its
    effective and permitted sets (kept across setuid, as runc does)."""
    cid = unique_id("caps1")
    caps = ["CAP_NET_BIND_SERVICE", "CAP_KILL"]
    b = oci.bundle(["sh", "-c", "id -u; id -G; grep -E '^Cap(Eff|Prm|Amb):' /proc/self/status"],
                   name="bcaps")
    cfg = json.loads((Path(b) / "config.json").read_text())
    cfg["process"]["user"] = {"uid": 1000, "gid": 1000, "additionalGids": [1001]}
    cfg["process"]["capabilities"] = {k: caps for k in
                                      ("bounding", "effective", "permitted", "ambient")}
    (Path(b) / "config.json").write_text(json.dumps(cfg))
    r = oci("run", "--bundle", b, cid)
    oci.ids.add(cid)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.split("\n")
    want = (1 << 10) | (1 << 5)  # CAP_NET_BIND_SERVICE, CAP_KILL
    assert lines[0] == "1000" and lines[1].split() == ["1000", "1001"], lines
    for line in lines[2:5]:
        assert int(line.split()[1], 16) == want, lines


def test_mount_and_uts_namespaces_joined_by_path(oci, spawn):
    """linux.namespaces with a path for mnt and uts: the container lives in
    the holder's namespaces (its hostname lands there)."""
    cid = unique_id("join1")
    import shutil
    import subprocess
    if not shutil.which("unshare"):
        pytest.skip("unshare(1) not installed")
    holder = spawn(["unshare", "--mount", "--uts", "sleep", "100"])
    assert wait_until(lambda: os.readlink(f"/proc/{holder.pid}/ns/mnt")
                      != os.readlink("/proc/self/ns/mnt"), 10)
    ns = [{"type": "pid"}, {"type": "ipc"},
          {"type": "mount", "path": f"/proc/{holder.pid}/ns/mnt"},
          {"type": "uts", "path": f"/proc/{holder.pid}/ns/uts"}]
    b = oci.bundle(["sh", "-c", "readlink /proc/self/ns/mnt; readlink /proc/self/ns/uts"],
                   name="bjoin", linux={"namespaces": ns}, hostname="joined")
    r = oci("run", "--bundle", b, cid)
    oci.ids.add(cid)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == [os.readlink(f"/proc/{holder.pid}/ns/{t}") for t in ("mnt", "uts")]
    r = subprocess.run(["nsenter", "-t", str(holder.pid), "-u", "hostname"],
                       capture_output=True, text=True, timeout=T)
    assert r.stdout.strip() == "joined"
    assert os.uname().nodename != "joined"


@pytest.mark.parametrize("prop", ["rshared", "shared", "runbindable"])
def test_rootfs_propagation_stays_in_the_container(oci, prop):
    """A shared or unbindable root is made so after the root switch, in a
    peer group of the container's own: a mount inside reaches nothing of
    the host's."""
    def host_mounts():
        with open("/proc/self/mountinfo") as f:
            return [line for line in f if oci.rootfs in line or str(oci.tmp) in line]
    before = host_mounts()
    b = oci.bundle(["sh", "-c", "mount -t tmpfs t /tmp && awk '$5 == \"/\"' /proc/self/mountinfo"],
                   name=f"bprop-{prop}", linux={"namespaces": NAMESPACES,
                                                "rootfsPropagation": prop})
    cfg = json.loads((Path(b) / "config.json").read_text())
    cfg["process"]["capabilities"] = {k: ["CAP_SYS_ADMIN"] for k in
                                      ("bounding", "effective", "permitted")}
    (Path(b) / "config.json").write_text(json.dumps(cfg))
    cid = unique_id(f"prop-{prop}")
    r = oci("run", "--bundle", b, cid)
    oci.ids.add(cid)
    assert r.returncode == 0, r.stderr
    root = r.stdout.strip()
    if prop.endswith("shared"):
        assert " shared:" in root, root
    else:
        assert " unbindable" in root, root
    assert host_mounts() == before
