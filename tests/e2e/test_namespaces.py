"""Each namespace hull is asked for is new, and every other one is the
host's: compared by /proc/<pid>/ns/<name> inode, as the kernel selftests'
in_same_namespace() does, for both spawn modes."""
import os
import subprocess

import pytest

from hostutil import deepest_descendant, ns_inode, read_line

NAMESPACES = ["mnt", "uts", "pid", "ipc", "net", "user", "cgroup", "time"]
SETS = {name: [name] for name in NAMESPACES}
SETS["default"] = ["mnt", "uts", "pid", "ipc", "net"]
SETS["all"] = NAMESPACES
SETS["none"] = []


def ns_arg(names):
    return ",".join(names) if names else "none"


@pytest.mark.parametrize("spawn", ["clone3", "fork"])
@pytest.mark.parametrize("names", list(SETS.values()), ids=list(SETS))
def test_exactly_the_requested_namespaces(hull, rootfs, spawn, names):
    args = [hull, "run", "--spawn", spawn]
    if names != SETS["default"]:
        args += ["--ns", ns_arg(names)]
    p = subprocess.Popen(args + [rootfs, "sh", "-c", "echo ready; read x"],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    try:
        assert read_line(p.stdout, 10) == "ready\n", p.stderr.read() if p.poll() else ""
        container = deepest_descendant(p.pid)
        assert container != p.pid
        for name in NAMESPACES:
            # A time namespace created by unshare() is entered by children
            # only: the container (a child) is in it, hull's own view is not.
            same = ns_inode(container, name) == ns_inode(os.getpid(), name)
            assert same == (name not in names), f"{name}: same={same}"
        p.stdin.write("\n")
        p.stdin.flush()
        assert p.wait(timeout=10) == 0
    finally:
        if p.poll() is None:
            p.kill()
            p.wait(timeout=10)
        p.stdin.close()
        p.stdout.close()
        p.stderr.close()


def test_net_namespace_has_only_loopback(run):
    # /proc/net/dev lists interfaces: a fresh net namespace has only lo.
    r = run("cat", "/proc/net/dev")
    ifaces = [line.split(":")[0].strip() for line in r.stdout.splitlines()[2:]]
    assert ifaces == ["lo"]


def test_user_namespace_maps_root_to_an_unprivileged_range(run):
    r = run("--ns", "user,mnt,pid", "ROOTFS", "sh", "-c",
            "id -u; cat /proc/self/uid_map /proc/self/gid_map")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] == "0"
    # No /etc/subuid entry for root here: hull's fixed default range.
    assert lines[1].split() == ["0", "100000", "65536"]
    assert lines[2].split() == ["0", "100000", "65536"]
