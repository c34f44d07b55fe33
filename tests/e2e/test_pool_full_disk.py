"""A full disk while a pool refills (issue 16's failure cases).

What a refill writes to disk: nothing of the slot's root (its writable
layer is a tmpfs inside the slot's own mount namespace; the shared rootfs is
never written) and nothing of the pool's state (written once, at `pool
start`); but a slot with `--network veth` records its address lease under
/run/hull/net. So the test gives hull a /run of its own on a small tmpfs,
fills it, and checks both kinds of pool on it:

- `--network veth`: the refill fails with ENOSPC, `pool status` says so in
  one line, `hull run --pool -v` falls back to a normal start and says so
  (which fails the same way, in one line); once space is back, the pool
  refills and serves from a slot again; nothing is left behind.
- the default (no lease): refills and runs go on; the container writes to
  its own layer.

Everything runs in a mount and a net namespace the test makes (unshare),
so /run, the veth links and the leases are the test's own; the tmpfs is
mounted under the test's temp dir and bound over /run in that namespace
only."""
import json
import os
import shutil
import signal
import subprocess
import time
import uuid
from pathlib import Path

import pytest

TIMEOUT = 30
CG_ROOTS = ["/sys/fs/cgroup/memory", "/sys/fs/cgroup/pids", "/sys/fs/cgroup/cpu",
            "/sys/fs/cgroup/cpuacct", "/sys/fs/cgroup/unified"]


def wait_for(cond, timeout=TIMEOUT, what="condition"):
    """Poll cond (a state, not a timing) until it holds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


class Namespace:
    """A mount + net namespace held by a sleeping process; commands enter
    it with nsenter."""

    def __init__(self):
        self.holder = subprocess.Popen(
            ["unshare", "--mount", "--net", "--propagation", "private", "sleep", "600"])
        own = os.stat("/proc/self/ns/mnt").st_ino
        wait_for(lambda: self._mnt_ino() not in (None, own), what="the namespace")

    def _mnt_ino(self):
        try:
            return os.stat(f"/proc/{self.holder.pid}/ns/mnt").st_ino
        except FileNotFoundError:
            return None

    def run(self, *cmd, timeout=TIMEOUT, **kw):
        kw.setdefault("capture_output", True)
        kw.setdefault("text", True)
        return subprocess.run(["nsenter", "-t", str(self.holder.pid), "-m", "-n", *cmd],
                              timeout=timeout, **kw)

    def popen(self, *cmd, **kw):
        return subprocess.Popen(["nsenter", "-t", str(self.holder.pid), "-m", "-n", *cmd],
                                **kw)

    def own_run(self, tmp_path, size, label):
        """A tmpfs of the given size over /run, in this namespace only: what
        hull makes there starts from nothing and never reaches the host's."""
        run_dir = tmp_path / "run"
        run_dir.mkdir()
        r = self.run("sh", "-c", f"mount -t tmpfs -o size={size},mode=0755 {label} {run_dir}"
                     f" && mount --bind {run_dir} /run")
        assert r.returncode == 0, r.stderr

    def close(self):
        self.holder.kill()
        self.holder.wait(timeout=TIMEOUT)


@pytest.fixture
def ns(tmp_path):
    for tool in ("unshare", "nsenter"):
        if not shutil.which(tool):
            pytest.skip(f"{tool} is not installed")
    if os.geteuid() != 0:
        pytest.skip("needs root (mount and net namespaces, tmpfs)")
    n = Namespace()
    try:
        n.own_run(tmp_path, "256k", "hull-full-disk")
        yield n
    finally:
        n.close()


def status(n, hull, name):
    r = n.run(hull, "pool", "status", name, "--json")
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def fill(n):
    """Fill the namespace's /run (dd stops at ENOSPC) and prove it is full."""
    n.run("dd", "if=/dev/zero", "of=/run/filler", "bs=4096", timeout=60)
    r = n.run("dd", "if=/dev/zero", "of=/run/probe-full", "bs=4096", "count=1")
    assert r.returncode != 0 and "No space left on device" in r.stderr, r.stderr
    n.run("rm", "-f", "/run/probe-full")


def test_full_disk_while_refilling(ns, hull, rootfs):
    host_run_mounts = [line for line in open("/proc/self/mountinfo")
                       if " /run " in line or "hull-full-disk" in line]
    tag = uuid.uuid4().hex[:8]
    veth, plain = "fdveth" + tag, "fdplain" + tag
    parent = "hull-pooltest-fd" + tag
    holder = None
    try:
        for name, opts in ((veth, ["--network", "veth"]), (plain, [])):
            r = ns.run(hull, "pool", "start", name, "--size", "1", "--cgroup-parent", parent,
                       *opts, rootfs, timeout=90)
            assert r.returncode == 0, r.stderr
        fill(ns)

        # The veth pool's slot is taken; its refill needs a lease file.
        holder = ns.popen(hull, "run", "--pool", veth, "--", "sh", "-c", "echo ready; read x",
                          stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert holder.stdout.readline() == "ready\n"
        wait_for(lambda: status(ns, hull, veth)["failures"] > 0, what="a failed refill")
        st = status(ns, hull, veth)
        assert st["ready"] == 0, st
        assert "No space left on device" in st["last_error"], st
        assert "\n" not in st["last_error"]

        # Empty pool: the fallback is a normal start, said with -v; on the
        # same full disk it fails the same way, in one line.
        r = ns.run(hull, "run", "--pool", veth, "-v", "--", "true")
        lines = r.stderr.splitlines()
        assert r.returncode == 125, r.stderr
        assert lines[0] == f"hull: pool '{veth}' has no slot ready: starting normally"
        assert len(lines) == 2 and lines[1].startswith("hull: ") and \
            lines[1].endswith(": No space left on device"), r.stderr
        # The failed refill and the failed fallback left no lease record:
        # the only one is the busy slot's.
        r = ns.run("sh", "-c", "for f in /run/hull/net/*/*; do echo \"$f $(wc -c < $f)\"; done")
        records = [line.split() for line in r.stdout.splitlines()
                   if not line.split()[0].endswith("/lock")]
        assert len(records) == 1 and int(records[0][1]) > 0, r.stdout

        # The pool without leases refills and serves on the full disk; its
        # containers write to their own layer.
        for _ in range(2):
            wait_for(lambda: status(ns, hull, plain)["ready"] == 1, what="the plain pool")
            r = ns.run(hull, "run", "--pool", plain, "-v", "--", "sh", "-c",
                       "echo data > /etc/written && cat /etc/written")
            assert (r.returncode, r.stdout) == (0, "data\n"), r.stderr
            assert r.stderr == f"hull: ran in a slot of pool '{plain}'\n"
        assert status(ns, hull, plain)["failures"] == 0
        assert not (Path(rootfs) / "etc" / "written").exists()

        # Space back: the veth pool refills (after its back-off) and
        # serves from a slot again.
        holder.stdin.write("x\n")
        holder.stdin.flush()
        assert holder.wait(timeout=TIMEOUT) == 0
        assert ns.run("rm", "-f", "/run/filler").returncode == 0
        wait_for(lambda: status(ns, hull, veth)["ready"] == 1, timeout=60,
                 what="the refill once space is back")
        r = ns.run(hull, "run", "--pool", veth, "-v", "--", "true")
        assert (r.returncode, r.stderr) == (0, f"hull: ran in a slot of pool '{veth}'\n")

        for name in (veth, plain):
            r = ns.run(hull, "pool", "stop", name, timeout=60)
            assert r.returncode == 0, r.stderr
        # Nothing left: no lease record (the failed refill's neither), no
        # link but lo, no pool state, no cgroup.
        r = ns.run("sh", "-c", "ls -A /run/hull/net/* 2>/dev/null; ls -A /run/hull/pool")
        assert r.stdout.split() in ([], ["lock"]), r.stdout
        r = ns.run("ip", "-o", "link", "show")
        assert [line.split(":")[1].strip() for line in r.stdout.splitlines()] == ["lo"], r.stdout
        for root in CG_ROOTS:
            d = Path(root) / parent
            assert not d.is_dir() or not [p for p in d.iterdir() if p.is_dir()], d
    finally:
        if holder and holder.poll() is None:
            holder.kill()
            holder.wait(timeout=TIMEOUT)
        for name in (veth, plain):
            ns.run(hull, "pool", "stop", name, timeout=60)
        ns.run(hull, "gc", "--cgroup-parent", parent, timeout=60)
        for root in CG_ROOTS:
            d = Path(root) / parent
            if d.is_dir():
                d.rmdir()
    # The host's own mount table never saw the tmpfs.
    assert [line for line in open("/proc/self/mountinfo")
            if " /run " in line or "hull-full-disk" in line] == host_run_mounts
