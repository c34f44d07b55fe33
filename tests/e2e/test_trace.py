"""--trace-fd: one JSON line per phase boundary, CLOCK_MONOTONIC, in order."""
import json
import os
import subprocess

import pytest

# --spawn fork: the child waits for go first, brings lo up and builds /dev.
EARLY_GO = ["start", "parsed", "cloned", "child_entered", "lo_up", "mounts_private",
            "proc_mounted", "dev_ready", "paths_masked", "root_switched", "hostname_set",
            "caps_set", "seccomp_installed", "exec", "exited"]
# With nothing for hull to do before the child's setup (no id maps, cgroup
# or network) but something after it (--init: the child stays as PID 1)
# hull brings lo up and builds /dev while its child sets up; the child
# waits for go after the root switch and attaches that /dev.
LATE_GO = ["start", "parsed", "cloned", "child_entered", "mounts_private", "proc_mounted",
           "paths_masked", "root_switched", "hostname_set", "go_received", "dev_attached",
           "caps_set", "seccomp_installed", "exec", "exited"]
# With nothing for hull to do at all until the exec (the default start) the
# child shares hull's memory while hull is suspended (spawn_shared_vm, just
# before the clone): it brings lo up and builds /dev itself, waits for no
# go, and hull's "cloned" comes once it has exec'd.
SHARED_VM = ["start", "parsed", "spawn_shared_vm", "cloned", "child_entered", "lo_up",
             "mounts_private", "proc_mounted", "dev_ready", "paths_masked", "root_switched",
             "hostname_set", "caps_set", "seccomp_installed", "exec", "exited"]


def traced(hull, rootfs, *opts):
    r_fd, w_fd = os.pipe()
    try:
        r = subprocess.run([hull, "run", "--trace-fd", str(w_fd), *opts, rootfs, "true"],
                           pass_fds=(w_fd,), capture_output=True, text=True, timeout=10)
        os.close(w_fd)
        w_fd = -1
        with os.fdopen(r_fd) as f:
            r_fd = -1
            lines = f.read().splitlines()
    finally:
        for fd in (r_fd, w_fd):
            if fd >= 0:
                os.close(fd)
    assert r.returncode == 0, r.stderr
    return [json.loads(line) for line in lines]


@pytest.mark.parametrize("opts,expected", [([], SHARED_VM), (["--spawn", "fork"], EARLY_GO),
                                            (["--chroot"], SHARED_VM), (["--init"], LATE_GO)],
                         ids=["shared_vm", "fork", "chroot", "init"])
def test_phases_in_order(hull, rootfs, opts, expected):
    marks = traced(hull, rootfs, *opts)
    assert all(set(m) == {"phase", "t_ns"} for m in marks)
    phases = [m["phase"] for m in marks]
    # Parent and child write concurrently: "cloned" (parent) may land
    # anywhere before "exited"; the child's own marks keep their order.
    child = [p for p in phases if p != "cloned"]
    assert child == [p for p in expected if p != "cloned"]
    assert "cloned" in phases
    times = {m["phase"]: m["t_ns"] for m in marks}
    order = [p for p in expected if p != "cloned"]
    assert all(times[a] <= times[b] for a, b in zip(order, order[1:]))
    assert times["start"] <= times["cloned"] <= times["exited"]


def test_no_mount_namespace_has_no_mount_phases(hull, rootfs):
    phases = [m["phase"] for m in traced(hull, rootfs, "--ns", "pid")]
    assert "mounts_private" not in phases and "proc_mounted" not in phases
    assert "root_switched" in phases and "exec" in phases
    assert "hostname_set" not in phases


def test_trace_uses_monotonic_clock(hull, rootfs):
    import time
    t0 = time.monotonic_ns()
    marks = traced(hull, rootfs)
    t1 = time.monotonic_ns()
    assert all(t0 <= m["t_ns"] <= t1 for m in marks)


# A v1 cgroup is joined by the child itself (cgroup_self_join.h); a v2 one
# needs clone3's CLONE_INTO_CGROUP.
V1_MEMORY = os.path.exists("/sys/fs/cgroup/memory/tasks")


# Which spawn a start took: the shared-memory one only where hull has
# nothing to do between the clone and the exec; a start that needs hull
# meanwhile (id maps, a v2 cgroup, the network, an init that never execs)
# must not be suspended behind its child.
@pytest.mark.parametrize("opts,shared", [
    ([], True),
    (["--privileged"], True),
    (["--ns", "pid"], True),
    (["--init"], False),
    (["--spawn", "fork"], False),
    (["--memory", "64m"], V1_MEMORY),
    (["--network", "veth"], False),
    (["--ns", "mnt,uts,pid,ipc,net,user", "--uidmap", "0:100000:65536",
      "--gidmap", "0:100000:65536"], False),
    (["--ns", "mnt,uts,pid,ipc,net,time"], False),
], ids=["default", "privileged", "no-mntns", "init", "fork",
        "cgroup-v1" if V1_MEMORY else "cgroup-v2", "veth", "userns", "timens"])
def test_spawn_shared_vm_only_where_hull_waits_for_nothing(hull, rootfs, opts, shared):
    if os.geteuid() != 0:
        pytest.skip("needs root (namespaces, cgroups)")
    if "veth" in opts and not os.path.exists("/sys/class/net"):
        pytest.skip("needs sysfs network classes")
    if "time" in " ".join(opts) and not os.path.exists("/proc/self/ns/time"):
        pytest.skip("needs time namespaces (Linux 5.6)")
    phases = [m["phase"] for m in traced(hull, rootfs, *opts)]
    assert ("spawn_shared_vm" in phases) == shared, phases
    # The shared child waits for no go (fork mode's wait has no mark).
    if "--spawn" not in opts:
        assert ("go_received" in phases) != shared, phases
    if "--memory" in opts and shared:
        # The shared child moved itself in, first thing.
        assert phases.index("child_entered") < phases.index("cgroup_joined") < \
            phases.index("lo_up"), phases
    if shared:
        assert phases.index("spawn_shared_vm") < phases.index("child_entered")
        assert phases.index("exec") < phases.index("cloned")
        assert "dev_attached" not in phases
