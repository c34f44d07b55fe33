"""A private containerd for the e2e tests (tests/e2e/test_containerd.py) and
the containerd bench row (bench/containerd.py): its own config, root, state,
gRPC/ttrpc/debug sockets under a temp dir (CRI plugin off), started here and
stopped by its PID, and an OCI image archive built from a rootfs for
`ctr image import`.

Errors are RuntimeError: the bench prints one line, pytest shows it."""
import hashlib
import io
import json
import os
import signal
import subprocess
import tarfile
import time
from pathlib import Path

T = 30  # seconds: the timeout of every ctr call
UNIFIED = "/sys/fs/cgroup/unified"  # a hybrid host's cgroup2 mount
TOOLS = ("containerd", "ctr", "containerd-shim-runc-v2")


def oci_image_archive(rootfs, out, ref, cmd=("/bin/sh",)):
    """An OCI image layout tar (one uncompressed layer) of rootfs, named ref,
    whose default command is cmd."""
    layer = io.BytesIO()
    with tarfile.open(fileobj=layer, mode="w") as t:
        t.add(rootfs, arcname=".")
    layer = layer.getvalue()

    def digest(blob):
        return "sha256:" + hashlib.sha256(blob).hexdigest()

    def desc(media, blob):
        return {"mediaType": media, "digest": digest(blob), "size": len(blob)}

    config = json.dumps({
        "architecture": "amd64", "os": "linux",
        "config": {"Env": ["PATH=/usr/sbin:/usr/bin:/sbin:/bin"], "Cmd": list(cmd)},
        "rootfs": {"type": "layers", "diff_ids": [digest(layer)]},
    }).encode()
    manifest = json.dumps({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": desc("application/vnd.oci.image.config.v1+json", config),
        "layers": [desc("application/vnd.oci.image.layer.v1.tar", layer)],
    }).encode()
    mdesc = desc("application/vnd.oci.image.manifest.v1+json", manifest)
    mdesc["annotations"] = {"org.opencontainers.image.ref.name": ref}
    index = json.dumps({"schemaVersion": 2, "manifests": [mdesc]}).encode()
    with tarfile.open(out, "w") as t:
        for name, data in [("oci-layout", b'{"imageLayoutVersion":"1.0.0"}'),
                           ("index.json", index)] + [
                ("blobs/sha256/" + digest(b)[7:], b) for b in (layer, config, manifest)]:
            ti = tarfile.TarInfo(name)
            ti.size = len(data)
            t.addfile(ti, io.BytesIO(data))


class Containerd:
    """A private containerd serving containerd namespace `namespace` (which is
    also the containers' cgroup parent); stop() ends it, its shims and what
    they left: the cgroup parents it created, the mounts under its state.

    hide_cgroup2: on a hybrid host, run containerd (and so its shims and every
    runtime, alike) in a mount namespace of its own without the empty cgroup2
    mount -- crun refuses hybrid ("cgroups in hybrid mode not supported")."""

    def __init__(self, tmp, namespace, hide_cgroup2=False):
        self.tmp = Path(tmp)
        self.namespace = namespace
        self.sock = self.tmp / "containerd.sock"
        self.cgroups_before = self._cgroup_parents()
        (self.tmp / "config.toml").write_text(
            "version = 2\n"
            f'root = "{self.tmp}/root"\n'
            f'state = "{self.tmp}/state"\n'
            'disabled_plugins = ["io.containerd.grpc.v1.cri"]\n'
            "[grpc]\n"
            f'  address = "{self.sock}"\n'
            "[ttrpc]\n"
            f'  address = "{self.sock}.ttrpc"\n'
            "[debug]\n"
            f'  address = "{self.tmp}/debug.sock"\n')
        self.log = open(self.tmp / "containerd.log", "w")
        argv = ["containerd", "--config", str(self.tmp / "config.toml")]
        if hide_cgroup2 and os.path.ismount(UNIFIED):
            # unshare and sh exec, so the PID is containerd's.
            argv = ["unshare", "--mount", "--propagation", "private", "sh", "-c",
                    f'umount {UNIFIED} && exec "$@"', "sh", *argv]
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=self.log,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + T
        while self.proc.poll() is None and self.ctr("version").returncode != 0:
            if time.monotonic() > deadline:
                self.proc.kill()
                self.proc.wait(timeout=10)
                self.stop()
                raise RuntimeError(f"containerd did not serve within {T} s")
            time.sleep(0.05)  # polling a server coming up: no event to wait on
        if self.proc.poll() is not None:
            self.stop()
            raise RuntimeError("containerd exited: " +
                               (self.tmp / "containerd.log").read_text()[-2000:])

    def _cgroup_parents(self):
        return set(Path("/sys/fs/cgroup").glob(f"*/{self.namespace}"))

    def argv(self, *args):
        """The ctr command line for args, against this containerd and namespace."""
        return ["ctr", "-a", str(self.sock), "-n", self.namespace, *args]

    def ctr(self, *args, timeout=T, **kw):
        """Run ctr args -> CompletedProcess (text, output captured, no stdin)."""
        kw.setdefault("capture_output", True)
        kw.setdefault("text", True)
        kw.setdefault("stdin", subprocess.DEVNULL)
        return subprocess.run(self.argv(*args), timeout=timeout, **kw)

    def import_image(self, rootfs, ref, cmd=("/bin/sh",)):
        archive = self.tmp / "image.tar"
        oci_image_archive(rootfs, archive, ref, cmd)
        r = self.ctr("image", "import", str(archive), timeout=120)
        if r.returncode != 0:
            raise RuntimeError(f"ctr image import: {r.stderr.strip()}")

    def task(self, cid):
        """(pid, STATUS) of task cid from `ctr task ls`, or (None, None)."""
        for line in self.ctr("task", "ls").stdout.splitlines()[1:]:
            f = line.split()
            if f and f[0] == cid:
                return f[1], f[2]
        return None, None

    def remove(self, cid):
        """Kill and delete the task and the container (each step may find nothing)."""
        self.ctr("task", "kill", "-a", "-s", "KILL", cid)
        deadline = time.monotonic() + 15
        while self.task(cid)[1] not in (None, "STOPPED") and time.monotonic() < deadline:
            time.sleep(0.02)  # containerd announces the exit only to subscribers
        self.ctr("task", "rm", "-f", cid)
        self.ctr("container", "rm", cid)

    def shim_pids(self):
        pids = []
        for f in (self.tmp / "state").glob("io.containerd.runtime.v2.task/*/*/shim.pid"):
            try:
                pids.append(int(f.read_text()))
            except (OSError, ValueError):
                pass
        return pids

    def stop(self):
        """Remove every container, stop containerd and the shims it leaves,
        remove the cgroup parents it created and unmount its state."""
        if self.proc.poll() is None:
            for cid in self.ctr("container", "ls", "-q").stdout.split():
                self.remove(cid)
            shims = self.shim_pids()
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
            for pid in shims:  # a shim outlives containerd only if its task did
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        self.log.close()
        for cg in self._cgroup_parents() - self.cgroups_before:
            try:
                cg.rmdir()
            except OSError:
                pass
        subprocess.run(["umount", "-R", str(self.tmp / "state")], capture_output=True,
                       timeout=T)
