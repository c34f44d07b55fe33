"""hull removes or kills only cgroups it can prove it made (issue 12):
foreign processes in sibling cgroups under the parent hull uses — dash
names, a dead pid-looking prefix, hull's exact name pattern without hull's
marker or with another one — survive `hull run`, OCI create/delete with a
cgroupsPath next to them, and `hull gc`; while a real stale hull cgroup
(its hull SIGKILLed) is still collected.

Each test makes its own parent in every hierarchy hull writes to and
removes every cgroup and process it made in a finally."""
import json
import os
import subprocess

import pytest

from hostutil import descendants_of, read_line, wait_gone

T = 30  # seconds: every subprocess call's timeout
XATTR = "user.hull.owner"


def hierarchies():
    """Mount points of the cgroup trees hull makes directories in."""
    points = set()
    with open("/proc/self/mountinfo") as f:
        for line in f:
            pre, post = line.split(" - ", 1)
            fstype, _src, opts = post.split()[:3]
            point = pre.split()[4]
            wanted = {"memory", "cpu", "cpuacct", "pids", "freezer"}
            if fstype == "cgroup2" or (fstype == "cgroup" and wanted & set(opts.split(","))):
                points.add(point)
    return sorted(points)


def dead_pid():
    """A pid no process has now (the prefix of a dead hull-looking name)."""
    with open("/proc/sys/kernel/pid_max") as f:
        pid = int(f.read()) - 1
    while os.path.exists(f"/proc/{pid}"):
        pid -= 1
    return pid


class Foreign:
    """A parent cgroup with foreign sibling cgroups, one `sleep` in each."""

    def __init__(self, parent):
        self.parent = parent
        self.points = hierarchies()
        dead = dead_pid()
        # name -> marker value on the directory (None: no marker)
        self.names = {
            "web-server": None,
            "db-1": None,
            f"{dead}-456": None,               # dead pid-looking prefix
            f"{dead}-12345": None,             # hull's exact pattern, no marker
            f"{dead}-777": f"named {dead}-777",  # hull's pattern, another marker
            f"{dead}-778": f"run {dead}-1",      # a run marker for another name
        }
        self.procs = {}
        self.dirs = []

    def make(self):
        for point in self.points:
            os.makedirs(f"{point}/{self.parent}", exist_ok=True)
        for name, marker in self.names.items():
            p = subprocess.Popen(["sleep", "600"])
            self.procs[name] = p
            for point in self.points:
                d = f"{point}/{self.parent}/{name}"
                os.mkdir(d)
                self.dirs.append(d)
                if marker:
                    os.setxattr(d, XATTR, marker.encode())
                with open(f"{d}/cgroup.procs", "w") as f:
                    f.write(str(p.pid))
        return self

    def assert_untouched(self):
        for name, p in self.procs.items():
            assert p.poll() is None, f"foreign process in '{name}' was killed ({p.returncode})"
        gone = [d for d in self.dirs if not os.path.isdir(d)]
        assert not gone, f"foreign cgroups removed: {gone}"
        for name, p in self.procs.items():
            for point in self.points:
                with open(f"{point}/{self.parent}/{name}/cgroup.procs") as f:
                    assert str(p.pid) in f.read().split()

    def cleanup(self):
        for p in self.procs.values():
            p.kill()
            p.wait(timeout=T)
        for point in self.points:
            base = f"{point}/{self.parent}"
            if not os.path.isdir(base):
                continue
            for entry in os.scandir(base):
                if entry.is_dir():
                    try:
                        os.rmdir(entry.path)
                    except OSError:
                        pass
            try:
                os.rmdir(base)
            except OSError:
                pass


@pytest.fixture
def foreign():
    f = Foreign(f"hull-foreign-{os.getpid()}")
    try:
        yield f.make()
    finally:
        f.cleanup()


def test_hull_run_leaves_foreign_cgroups_alone(hull, rootfs, foreign):
    r = subprocess.run([hull, "run", "--cgroup-parent", foreign.parent, "--memory", "64m",
                        rootfs, "/bin/true"], capture_output=True, text=True, timeout=T)
    assert r.returncode == 0, r.stderr
    foreign.assert_untouched()


def test_gc_leaves_foreign_cgroups_alone(hull, foreign):
    r = subprocess.run([hull, "gc", "--cgroup-parent", foreign.parent], capture_output=True,
                       text=True, timeout=T)
    assert r.returncode == 0, r.stderr
    assert r.stdout == "hull: removed 0 stale cgroups\n"
    foreign.assert_untouched()


def test_gc_still_collects_a_killed_hulls_cgroup(hull, rootfs, foreign):
    p = subprocess.Popen([hull, "run", "--cgroup-parent", foreign.parent, "--memory", "64m",
                          "--pids", "20", rootfs, "sh", "-c", "echo ready; read x"],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert read_line(p.stdout, 10) == "ready\n"
        mine = [f"{point}/{foreign.parent}/{e.name}" for point in foreign.points
                if os.path.isdir(f"{point}/{foreign.parent}")
                for e in os.scandir(f"{point}/{foreign.parent}")
                if e.name.startswith(f"{p.pid}-")]
        assert len(mine) >= 2  # memory and pids at least
        assert all(os.getxattr(d, XATTR).decode() == f"run {os.path.basename(d)}"
                   for d in mine)
        inside = descendants_of(p.pid)
        p.kill()
        p.wait(timeout=10)
        assert wait_gone(inside, timeout=5) == []
        assert all(os.path.isdir(d) for d in mine)  # hull had no chance to clean up
        r = subprocess.run([hull, "gc", "--cgroup-parent", foreign.parent],
                           capture_output=True, text=True, timeout=T)
        assert r.returncode == 0, r.stderr
        assert r.stdout == f"hull: removed {len(mine)} stale cgroups\n"
        assert not any(os.path.exists(d) for d in mine)
        foreign.assert_untouched()
    finally:
        if p.poll() is None:
            p.kill()
            p.wait(timeout=10)
        subprocess.run([hull, "gc", "--cgroup-parent", foreign.parent], capture_output=True,
                       timeout=T)


def oci_bundle(hull, rootfs, tmp_path, cgroups_path, args):
    b = tmp_path / "bundle"
    b.mkdir(exist_ok=True)
    r = subprocess.run([hull, "spec", "--bundle", str(b), "--rootfs", rootfs],
                       capture_output=True, text=True, timeout=T)
    assert r.returncode == 0, r.stderr
    cfg = json.loads((b / "config.json").read_text())
    cfg["process"]["args"] = args
    cfg["process"]["terminal"] = False
    cfg["linux"]["cgroupsPath"] = cgroups_path
    (b / "config.json").write_text(json.dumps(cfg))
    return str(b)


def test_oci_create_and_delete_with_cgroups_path_leave_siblings_alone(hull, rootfs, tmp_path,
                                                                      foreign):
    root = str(tmp_path / "state")
    cid = "ctr-1"  # a dash in the id, as containerd's are
    b = oci_bundle(hull, rootfs, tmp_path, f"/{foreign.parent}/{cid}", ["sleep", "600"])
    try:
        with open(tmp_path / "out", "w") as out:
            r = subprocess.run([hull, "--root", root, "create", "--bundle", b, cid],
                               stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                               timeout=T)
        assert r.returncode == 0, (tmp_path / "out").read_text()
        mine = [f"{point}/{foreign.parent}/{cid}" for point in foreign.points
                if os.path.isdir(f"{point}/{foreign.parent}/{cid}")]
        assert mine
        foreign.assert_untouched()
        r = subprocess.run([hull, "--root", root, "delete", "--force", cid],
                           capture_output=True, text=True, timeout=T)
        assert r.returncode == 0, r.stderr
        assert not any(os.path.exists(d) for d in mine)  # its own cgroup, exactly
        foreign.assert_untouched()
    finally:
        subprocess.run([hull, "--root", root, "delete", "--force", cid], capture_output=True,
                       timeout=T)


def test_oci_create_at_a_foreign_cgroups_path_fails_and_leaves_it(hull, rootfs, tmp_path,
                                                                  foreign):
    root = str(tmp_path / "state")
    b = oci_bundle(hull, rootfs, tmp_path, f"/{foreign.parent}/web-server", ["true"])
    try:
        r = subprocess.run([hull, "--root", root, "create", "--bundle", b, "web-server"],
                           stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=T)
        assert r.returncode != 0
        assert "web-server': File exists" in r.stderr
        foreign.assert_untouched()
    finally:
        subprocess.run([hull, "--root", root, "delete", "--force", "web-server"],
                       capture_output=True, timeout=T)
        foreign.assert_untouched()
