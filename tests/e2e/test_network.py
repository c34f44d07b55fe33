"""hull run --network: reachability, isolation, rate, CNI, bad input, leftovers.

Safety: every test makes a network namespace of its own first (`unshare -n`
holding a sleep: the containers' "host"), runs hull and the host-side tools
inside it with nsenter, and uses addresses from 198.18.0.0/15 only; all of
it goes away with the holder. Transfers are bounded by hull-net (at most a
few MB, 30 s). Nothing here touches the machine's own interfaces."""
import json
import os
import re
import shutil
import signal
import subprocess
from pathlib import Path

import pytest

from conftest import BUILD

NET = str(BUILD / "bin" / "hull-net")
STATE = Path("/run/hull/net")

pytestmark = pytest.mark.skipif(
    shutil.which("nsenter") is None or shutil.which("unshare") is None
    or shutil.which("ip") is None, reason="needs util-linux nsenter/unshare and iproute2")


class NetHost:
    """A network namespace of the test's own, standing in for the host."""

    def __init__(self):
        self.procs = []
        self.holder = subprocess.Popen(
            ["unshare", "-n", "sh", "-c", "ip link set lo up && echo ready && exec sleep 600"],
            stdout=subprocess.PIPE, text=True, start_new_session=True)
        line = self.holder.stdout.readline()
        if line.strip() != "ready":
            self.close()
            pytest.fail("cannot make the test's network namespace")
        self.ns = f"/proc/{self.holder.pid}/ns/net"
        self.inode = os.stat(self.ns).st_ino

    def cmd(self, *args):
        return ["nsenter", f"--net={self.ns}", "--", *map(str, args)]

    def run(self, *args, timeout=30):
        return subprocess.run(self.cmd(*args), capture_output=True, text=True,
                              timeout=timeout)

    def popen(self, *args):
        p = subprocess.Popen(self.cmd(*args), stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, start_new_session=True)
        self.procs.append(p)
        return p

    def serve(self, addr, port, *mode):
        """hull-net serve on the host side; returns once it listens."""
        p = self.popen(NET, "serve", addr, port, *mode)
        assert p.stdout.readline().strip() == "listening", p.stderr.read()
        return p

    def links(self):
        out = self.run("ip", "-o", "link", "show").stdout
        return sorted(re.findall(r"^\d+: ([^:@]+)", out, re.M))

    def lease_dir(self):
        return STATE / f"netns-{self.inode}"

    def close(self):
        for p in self.procs + [self.holder]:
            if p.poll() is None:
                try:
                    os.killpg(p.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
            for s in (p.stdout, p.stderr):
                if s:
                    s.close()


@pytest.fixture
def host():
    h = NetHost()
    yield h
    h.close()


@pytest.fixture
def hullrun(hull, rootfs, host):
    """hullrun(*opts, cmd...) in the host namespace -> CompletedProcess; the
    literal "--" separates hull's options from the command."""
    def _run(*args, timeout=30):
        i = args.index("--")
        return host.run(hull, "run", *args[:i], rootfs, *args[i + 1:], timeout=timeout)
    return _run


def hull_popen(host, hull, rootfs, *args):
    i = args.index("--")
    return host.popen(hull, "run", *args[:i], rootfs, *args[i + 1:])


def container_serves(host, hull, rootfs, *opts, port=7000):
    """A container serving a greeting; returns once it listens."""
    p = hull_popen(host, hull, rootfs, *opts, "--", "/bin/hull-net", "serve", "0.0.0.0",
                   port, "greet")
    line = p.stdout.readline().strip()
    assert line == "listening", (line, p.stderr.read() if p.poll() is not None else "")
    return p


def assert_clean(host, *expected_links):
    assert host.links() == sorted(["lo", *expected_links])
    assert not host.lease_dir().exists(), list(host.lease_dir().iterdir())


# ---- lo --------------------------------------------------------------

# default: the child, sharing hull's memory, brings lo up itself; --init:
# hull does, from its own side, while the child sets up; fork: the child,
# after go.
@pytest.mark.parametrize("opts", [[], ["--network", "none"], ["--spawn", "fork"], ["--init"]],
                         ids=["default", "none", "fork", "init"])
def test_lo_is_up_and_works(hullrun, opts):
    r = hullrun(*opts, "--", "/bin/sh", "-c",
                "ip -o link show lo; /bin/hull-net serve 127.0.0.1 7000 greet | "
                "(read l; /bin/hull-net connect 127.0.0.1 7000)")
    assert r.returncode == 0, r.stderr
    assert "UP" in r.stdout.splitlines()[0]
    assert r.stdout.splitlines()[-1] == "hello"


def test_none_has_only_lo(hullrun):
    r = hullrun("--network", "none", "--", "/bin/sh", "-c", "ls /sys/class/net")
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["lo"]


# ---- veth and bridge: reachability both ways --------------------------

@pytest.mark.parametrize("mode,opts,me,peer", [
    ("veth", ["--ip", "198.19.0.2"], "198.19.0.2", "198.19.0.1"),
    ("bridge:hbr0", ["--subnet", "198.18.5.0/24", "--ip", "198.18.5.9"], "198.18.5.9",
     "198.18.5.1"),
], ids=["veth", "bridge"])
def test_reachability_both_ways(host, hull, rootfs, hullrun, mode, opts, me, peer):
    # container -> host side
    srv = host.serve("0.0.0.0", 7001, "greet")
    r = hullrun("--network", mode, *opts, "--", "/bin/hull-net", "connect", peer, 7001)
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.strip() == "hello"
    assert srv.wait(timeout=10) == 0
    # host side -> container
    c = container_serves(host, hull, rootfs, "--network", mode, *opts)
    r = host.run(NET, "connect", me, 7000)
    assert r.stdout.strip() == "hello", r.stdout
    assert c.wait(timeout=10) == 0
    assert_clean(host, *(["hbr0"] if mode.startswith("bridge") else []))


@pytest.mark.parametrize("ns", ["mnt,uts,pid,ipc,net", "mnt,uts,net"], ids=["pid", "no-pid"])
def test_spawn_fork_gets_its_network(host, hullrun, ns):
    """--spawn fork unshares after the clone: the parent must wait for the
    child's own namespace before it builds the network in it."""
    srv = host.serve("0.0.0.0", 7006, "greet")
    r = hullrun("--spawn", "fork", "--ns", ns, "--network", "veth", "--ip", "198.19.0.2", "--",
                "/bin/hull-net", "connect", "198.19.0.1", 7006)
    assert r.stdout.strip() == "hello", r.stdout + r.stderr
    assert srv.wait(timeout=10) == 0
    assert_clean(host)


def test_default_addresses_and_mac(hullrun, host):
    r = hullrun("--network", "veth", "--mac", "02:42:c6:12:00:02", "--", "/bin/sh", "-c",
                "ip -o -4 addr show eth0; ip route; cat /sys/class/net/eth0/address")
    assert r.returncode == 0, r.stderr
    assert re.search(r"inet 198\.19\.\d+\.\d+/30", r.stdout), r.stdout
    assert "default via 198.19." in r.stdout
    assert "02:42:c6:12:00:02" in r.stdout
    r = hullrun("--network", "bridge", "--", "/bin/sh", "-c", "ip -o -4 addr show eth0")
    assert re.search(r"inet 198\.18\.\d+\.\d+/16", r.stdout), r.stdout + r.stderr
    assert "198.18.0.1/16" in host.run("ip", "-o", "-4", "addr", "show", "hull0").stdout
    assert_clean(host, "hull0")


def test_host_loopback_service_is_not_reachable(host, hullrun):
    srv = host.serve("127.0.0.1", 7002, "greet")
    for target in ("198.19.0.1", "127.0.0.1"):
        r = hullrun("--network", "veth", "--ip", "198.19.0.2", "--",
                    "/bin/hull-net", "connect", target, 7002)
        assert r.returncode == 1 and r.stdout.startswith("unreachable"), r.stdout + r.stderr
    assert srv.poll() is None  # nobody got through
    # The host side itself does reach it: the service is real.
    assert host.run(NET, "connect", "127.0.0.1", 7002).stdout.strip() == "hello"


def test_bridge_neighbours_reach_each_other(host, hull, rootfs, hullrun):
    opts = ["--network", "bridge:hbr1", "--subnet", "198.18.6.0/24"]
    a = container_serves(host, hull, rootfs, *opts, "--ip", "198.18.6.2")
    r = hullrun(*opts, "--ip", "198.18.6.3", "--", "/bin/hull-net", "connect", "198.18.6.2",
                7000)
    assert r.stdout.strip() == "hello", r.stdout + r.stderr
    assert a.wait(timeout=10) == 0
    assert_clean(host, "hbr1")


def test_separate_veths_do_not_reach_each_other(host, hull, rootfs, hullrun):
    a = container_serves(host, hull, rootfs, "--network", "veth", "--ip", "198.19.0.2")
    r = hullrun("--network", "veth", "--ip", "198.19.0.6", "--", "/bin/hull-net", "connect",
                "198.19.0.2", 7000)
    assert r.returncode == 1 and r.stdout.startswith("unreachable"), r.stdout + r.stderr
    assert a.poll() is None  # still waiting: nobody connected
    # ...while the host side does reach it.
    assert host.run(NET, "connect", "198.19.0.2", 7000).stdout.strip() == "hello"
    assert a.wait(timeout=10) == 0


# ---- ns:PATH and host ----------------------------------------------------

def test_ns_join_and_host_mode(host, hullrun):
    assert host.run("ip", "link", "add", "hdum0", "type", "bridge").returncode == 0
    for opts in (["--network", f"ns:{host.ns}"], ["--network", "host"]):
        r = hullrun(*opts, "--", "/bin/sh", "-c", "ls /sys/class/net")
        assert r.returncode == 0, r.stderr
        assert "hdum0" in r.stdout.split(), (opts, r.stdout)
    # sysfs shows the net namespace of whoever mounted it, for good: the
    # container's must be mounted once the container is in its own, by
    # every way hull starts it (the host's hdum0 would show otherwise).
    for opts in ([], ["--spawn", "fork"], ["--chroot"], ["--spawn", "fork", "--chroot"]):
        r = hullrun(*opts, "--", "/bin/sh", "-c",
                    "ls /sys/class/net; echo; tail -n +3 /proc/net/dev | cut -d: -f1")
        assert r.returncode == 0, (opts, r.stderr)
        sys_view, proc_view = r.stdout.split("\n\n")
        assert sys_view.split() == ["lo"], (opts, r.stdout)
        assert proc_view.split() == ["lo"], (opts, r.stdout)


# ---- rate ------------------------------------------------------------------

RATE_BPS = 20e6
RATE_BYTES = 5_000_000  # 2 s at 20 Mbit/s


def transfer(host, hullrun, *opts):
    """Seconds for RATE_BYTES container -> host side and host side -> container."""
    srv = host.serve("0.0.0.0", 7003, "sink")
    r = hullrun("--network", "veth", "--ip", "198.19.0.2", *opts, "--",
                "/bin/hull-net", "send", "198.19.0.1", 7003, RATE_BYTES, timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr
    out, _ = srv.communicate(timeout=30)
    n, up = out.split()[1:3]
    assert int(n) == RATE_BYTES
    srv = host.serve("0.0.0.0", 7004, "send", RATE_BYTES)
    r = hullrun("--network", "veth", "--ip", "198.19.0.2", *opts, "--",
                "/bin/hull-net", "recv", "198.19.0.1", 7004, timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr
    n, down = r.stdout.split()[1:3]
    assert int(n) == RATE_BYTES
    assert srv.wait(timeout=30) == 0
    return float(up), float(down)


def test_net_rate_shapes_both_directions(host, hullrun):
    up, down = transfer(host, hullrun, "--net-rate", "20mbit")
    for what, secs in (("container -> host", up), ("host -> container", down)):
        rate = RATE_BYTES * 8 / secs
        assert 0.8 * RATE_BPS <= rate <= 1.2 * RATE_BPS, f"{what}: {rate / 1e6:.1f} Mbit/s"
    up, down = transfer(host, hullrun)
    for what, secs in (("container -> host", up), ("host -> container", down)):
        rate = RATE_BYTES * 8 / secs
        assert rate > 3 * RATE_BPS, f"{what} unlimited: only {rate / 1e6:.1f} Mbit/s"
    assert_clean(host)


# ---- CNI -----------------------------------------------------------------

CNI_DIR = "/usr/lib/cni"
needs_cni = pytest.mark.skipif(not all(os.access(f"{CNI_DIR}/{p}", os.X_OK)
                                       for p in ("bridge", "host-local", "bandwidth")),
                               reason="needs containernetworking-plugins in /usr/lib/cni")


def conflist(tmp_path, *extra, name="hulltest"):
    plugins = [{"type": "bridge", "bridge": "hcni0", "isGateway": True,
                "ipam": {"type": "host-local", "subnet": "198.18.8.0/24",
                         "dataDir": str(tmp_path / "ipam")}},
               {"type": "bandwidth", "ingressRate": 50_000_000, "ingressBurst": 1_000_000,
                "egressRate": 50_000_000, "egressBurst": 1_000_000},
               *extra]
    path = tmp_path / "net.conflist"
    path.write_text(json.dumps({"cniVersion": "1.0.0", "name": name, "plugins": plugins}))
    return path


def ipam_leases(tmp_path):
    d = tmp_path / "ipam" / "hulltest"
    return sorted(p.name for p in d.iterdir() if p.name.startswith("198.")) if d.exists() else []


@needs_cni
def test_cni_add_and_del(host, hullrun, tmp_path):
    path = conflist(tmp_path)
    srv = host.serve("0.0.0.0", 7005, "greet")
    r = hullrun("--network", f"cni:{path}", "--", "/bin/sh", "-c",
                f"ip -o -4 addr show eth0; ls {tmp_path}/ipam/hulltest 2>&1;"
                "/bin/hull-net connect 198.18.8.1 7005")
    assert r.returncode == 0, r.stdout + r.stderr
    assert re.search(r"inet 198\.18\.8\.\d+/24", r.stdout), r.stdout
    assert r.stdout.strip().endswith("hello")
    assert srv.wait(timeout=10) == 0
    # DEL: the veth, the bandwidth plugin's ifb and the lease are gone.
    assert host.links() == ["hcni0", "lo"]
    assert ipam_leases(tmp_path) == []


@needs_cni
def test_cni_del_after_a_plugin_fails(host, hull, tmp_path):
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    fail = plugins / "hull-fails"
    fail.write_text('#!/bin/sh\ncat >/dev/null\n[ "$CNI_COMMAND" = DEL ] && exit 0\n'
                    'echo \'{"cniVersion":"1.0.0","code":11,"msg":"no way",'
                    '"details":"test plugin"}\'\nexit 1\n')
    fail.chmod(0o755)
    path = conflist(tmp_path, {"type": "hull-fails"})
    r = host.run("env", f"CNI_PATH={plugins}:{CNI_DIR}", hull, "run", "--network",
                 f"cni:{path}", BUILD / "rootfs", "/bin/true")
    assert r.returncode == 125
    assert r.stderr.strip() == "hull: cni plugin 'hull-fails' failed: no way: test plugin"
    assert host.links() == ["hcni0", "lo"]
    assert ipam_leases(tmp_path) == []


@needs_cni
def test_cni_gc_runs_del_for_a_killed_hull(host, hull, rootfs, tmp_path):
    path = conflist(tmp_path)
    p = hull_popen(host, hull, rootfs, "--network", f"cni:{path}", "--", "/bin/sh", "-c",
                   "echo up; exec sleep 30")
    assert p.stdout.readline().strip() == "up", p.stderr.read()
    assert len(ipam_leases(tmp_path)) == 1
    os.kill(p.pid, signal.SIGKILL)  # no DEL from hull itself
    p.wait(timeout=10)
    assert len(ipam_leases(tmp_path)) == 1
    gc = host.run(hull, "gc")
    assert gc.returncode == 0, gc.stderr
    assert ipam_leases(tmp_path) == []
    assert not list((STATE / "cni").glob(f"hull-{p.pid}-*.json"))


# ---- bad input: one line, exit 125, nothing left ---------------------------

BAD = {
    "unknown mode": (["--network", "wifi"], "unknown network mode 'wifi'"),
    "bad cidr": (["--network", "veth", "--subnet", "198.18.0.1/16"], "invalid subnet"),
    "bad cidr prefix": (["--network", "veth", "--subnet", "198.18.0.0/33"], "invalid subnet"),
    "bad ip": (["--network", "veth", "--ip", "198.18.0.256"], "invalid IPv4 address"),
    "bad rate": (["--network", "veth", "--net-rate", "fast"], "invalid rate 'fast'"),
    "bad mac": (["--network", "veth", "--mac", "01:00:00:00:00:01"], "invalid MAC address"),
    "ip outside": (["--network", "bridge", "--subnet", "198.18.4.0/24", "--ip", "198.18.5.2"],
                   "is outside the subnet"),
    "gateway ip": (["--network", "bridge", "--subnet", "198.18.4.0/24", "--ip", "198.18.4.1"],
                   "gateway"),
    "bridge name": (["--network", "bridge:a-very-long-bridge"], "invalid bridge name"),
    "ip without link": (["--ip", "198.18.0.2"], "need --network veth or bridge"),
    "no net ns": (["--ns", "mnt,pid", "--network", "veth"], "requires the net namespace"),
    "missing plugin": (["--network", "cni:MISSING"], "cni plugin 'no-such-plugin' not found"),
    "bad conflist": (["--network", "cni:BAD"], "invalid CNI configuration"),
    "no conflist": (["--network", "cni:/nonexistent.conflist"], "invalid CNI configuration"),
}


@pytest.mark.parametrize("case", list(BAD), ids=list(BAD))
def test_bad_input(host, hull, rootfs, tmp_path, case):
    opts, message = BAD[case]
    missing = tmp_path / "missing.conflist"
    missing.write_text(json.dumps({"cniVersion": "1.0.0", "name": "x",
                                   "plugins": [{"type": "no-such-plugin"}]}))
    bad = tmp_path / "bad.conflist"
    bad.write_text('{"cniVersion": "1.0.0", "name": "x", "plugins": [')
    opts = [o.replace("cni:MISSING", f"cni:{missing}").replace("cni:BAD", f"cni:{bad}")
            for o in opts]
    r = host.run(hull, "run", *opts, rootfs, "/bin/true")
    assert r.returncode == 125, r.stderr
    assert len(r.stderr.splitlines()) == 1 and message in r.stderr, r.stderr
    assert_clean(host)


def test_address_in_use(host, hull, rootfs, hullrun):
    opts = ["--network", "bridge:hbr2", "--subnet", "198.18.4.0/24", "--ip", "198.18.4.7"]
    a = container_serves(host, hull, rootfs, *opts)
    r = hullrun(*opts, "--", "/bin/true")
    assert r.returncode == 125
    # The reason is the C library's strerror: glibc's or musl's wording.
    assert r.stderr.strip() in ("hull: address '198.18.4.7' is in use: Address already in use",
                                "hull: address '198.18.4.7' is in use: Address in use")
    # The first one still works and only its link is there.
    assert host.run(NET, "connect", "198.18.4.7", 7000).stdout.strip() == "hello"
    assert a.wait(timeout=10) == 0
    assert_clean(host, "hbr2")


# ---- leftovers after many runs, some SIGKILLed --------------------------

def wait_links(host, expected, deadline_s=20):
    """The kernel frees a dead namespace's links asynchronously: poll (with a
    deadline) until only the expected ones are left."""
    import time
    end = time.monotonic() + deadline_s
    while True:
        links = host.links()
        if links == sorted(expected) or time.monotonic() > end:
            return links
        time.sleep(0.05)


@pytest.mark.parametrize("runs", [int(os.environ.get("HULL_NET_RUNS", "200"))])
def test_no_leftovers_after_many_runs(host, hull, rootfs, hullrun, runs):
    killed = 0
    for i in range(runs):
        mode = ["--network", "bridge:hbr3", "--subnet", "198.18.3.0/24"] if i % 2 else \
               ["--network", "veth", "--subnet", "198.19.3.0/24"]
        if i % 10 == 9:  # the last run is a killed one: its lease stays
            p = hull_popen(host, hull, rootfs, *mode, "--", "/bin/sh", "-c",
                           "echo up; exec sleep 30")
            assert p.stdout.readline().strip() == "up"
            os.kill(p.pid, signal.SIGKILL)  # hull only: the container dies with it
            p.wait(timeout=10)
            killed += 1
        else:
            r = hullrun(*mode, "--", "/bin/true")
            assert r.returncode == 0, r.stderr
    assert killed == runs // 10
    assert wait_links(host, ["lo", "hbr3"]) == ["hbr3", "lo"]
    # Killed hulls left their leases; gc takes them back.
    assert host.lease_dir().exists()
    gc = subprocess.run([hull, "gc"], capture_output=True, text=True, timeout=30)
    assert gc.returncode == 0, gc.stderr
    assert not host.lease_dir().exists()


# ---- OCI: a config's new net namespace gets lo up too -----------------------

def test_oci_config_net_namespace_has_lo_up(hull, rootfs, tmp_path):
    from test_oci import Oci
    oci = Oci(hull, rootfs, tmp_path)
    try:
        b = oci.bundle(["sh", "-c", "ip -o link show lo; /bin/hull-net serve 127.0.0.1 7000 greet"
                        " | (read l; /bin/hull-net connect 127.0.0.1 7000)"])
        cfg = json.loads((Path(b) / "config.json").read_text())
        assert {"type": "network"} in cfg["linux"]["namespaces"]
        r = oci("run", "--bundle", b, "net1")
        assert r.returncode == 0, r.stderr
        assert "UP" in r.stdout.splitlines()[0]
        assert r.stdout.splitlines()[-1] == "hello"
    finally:
        oci.cleanup()


# ---- the harness's view: hull-harness network ------------------------------

def test_harness_network_checks(harness):
    r = subprocess.run([harness, "network", "--json"], capture_output=True, text=True,
                       timeout=120)
    rep = json.loads(r.stdout)
    seen = {c["name"]: (c["expected"], c["seen"]) for c in rep["checks"]}
    assert seen == {
        "lo_works": ("reachable", "reachable"),
        "veth_reaches_host": ("reachable", "reachable"),
        "bridge_reaches_host": ("reachable", "reachable"),
        "host_loopback_unreachable": ("unreachable", "unreachable"),
        "bridge_neighbours_reach": ("reachable", "reachable"),
        "veth_neighbours_isolated": ("unreachable", "unreachable"),
    }, rep
    assert rep["ok"] is True and r.returncode == 0, r.stderr
