#!/usr/bin/env python3
"""containerd.py — `ctr run --rm` end to end with hull, runc and crun as the
io.containerd.runc.v2 shim's --runc-binary (issue 18's containerd row).

A private containerd (its own config, root, state and sockets under a temp
dir, CRI off), started here and stopped by its PID; an image imported from
the rootfs (an OCI layout tar, one layer). Rounds interleave the runtimes;
each sample is the wall time of one `ctr run --rm IMAGE ID /bin/true`,
spawned the same way for every runtime. On a hybrid host containerd runs in
a mount namespace of its own without the cgroup2 mount (crun refuses
hybrid), the same for all three. Prints medians and the ratios
hull/runc and hull/crun.

    containerd.py HULL ROOTFS [--rounds N] [--json OUT] [--markdown OUT]

Exit status 0 (also when skipped: the reason is printed), 1 when a run failed.
"""
import argparse
import hashlib
import io
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

T = 30  # seconds: every subprocess call's timeout
NS = "hull-bench-ctr"  # containerd namespace (and the containers' cgroup parent)
IMAGE = "docker.io/library/hull-bench:latest"
UNIFIED = "/sys/fs/cgroup/unified"  # a hybrid host's cgroup2 mount


def oci_image_archive(rootfs, out, ref):
    """An OCI image layout tar (one uncompressed layer) of rootfs, named ref."""
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
        "config": {"Env": ["PATH=/usr/sbin:/usr/bin:/sbin:/bin"], "Cmd": ["/bin/true"]},
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
    """A private containerd; stop() ends it, its shims and what they left."""

    def __init__(self, tmp):
        self.tmp = tmp
        self.sock = tmp / "containerd.sock"
        self.cgroups_before = set(Path("/sys/fs/cgroup").glob(f"*/{NS}"))
        (tmp / "config.toml").write_text(
            "version = 2\n"
            f'root = "{tmp}/root"\n'
            f'state = "{tmp}/state"\n'
            'disabled_plugins = ["io.containerd.grpc.v1.cri"]\n'
            "[grpc]\n"
            f'  address = "{self.sock}"\n'
            "[ttrpc]\n"
            f'  address = "{self.sock}.ttrpc"\n'
            "[debug]\n"
            f'  address = "{tmp}/debug.sock"\n')
        self.log = open(tmp / "containerd.log", "w")
        argv = ["containerd", "--config", str(tmp / "config.toml")]
        if os.path.ismount(UNIFIED):
            # crun refuses a hybrid host ("cgroups in hybrid mode not
            # supported"): as the harness does for it, containerd (and its
            # shims and every runtime, alike) runs in a mount namespace of
            # its own without the empty cgroup2 mount. unshare and sh exec,
            # so the PID is containerd's.
            argv = ["unshare", "--mount", "--propagation", "private", "sh", "-c",
                    f'umount {UNIFIED} && exec "$@"', "sh", *argv]
        self.proc = subprocess.Popen(argv,
                                     stdin=subprocess.DEVNULL, stdout=self.log,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + T
        while self.proc.poll() is None and self.ctr("version").returncode != 0:
            if time.monotonic() > deadline:
                raise RuntimeError("containerd did not serve within 30 s")
            time.sleep(0.05)  # polling a server coming up: no event to wait on
        if self.proc.poll() is not None:
            raise RuntimeError("containerd exited: " +
                               (tmp / "containerd.log").read_text()[-500:])

    def argv(self, *args):
        return ["ctr", "-a", str(self.sock), "-n", NS, *args]

    def ctr(self, *args, timeout=T):
        return subprocess.run(self.argv(*args), capture_output=True, text=True,
                              stdin=subprocess.DEVNULL, timeout=timeout)

    def stop(self):
        if self.proc.poll() is None:
            for cid in self.ctr("container", "ls", "-q").stdout.split():
                self.ctr("task", "kill", "-a", "-s", "KILL", cid)
                self.ctr("task", "rm", "-f", cid)
                self.ctr("container", "rm", cid)
            shims = []
            for f in (self.tmp / "state").glob("io.containerd.runtime.v2.task/*/*/shim.pid"):
                try:
                    shims.append(int(f.read_text()))
                except (OSError, ValueError):
                    pass
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
        for cg in set(Path("/sys/fs/cgroup").glob(f"*/{NS}")) - self.cgroups_before:
            try:
                cg.rmdir()
            except OSError:
                pass
        subprocess.run(["umount", "-R", str(self.tmp / "state")], capture_output=True,
                       timeout=T)


def why_skipped():
    if os.geteuid() != 0:
        return "needs root"
    for tool in ("containerd", "ctr", "containerd-shim-runc-v2"):
        if not shutil.which(tool):
            return f"{tool} not installed (apt-get install containerd)"
    return None


def measure(hull, rootfs, rounds, warmup=2):
    runtimes = {"hull": hull}
    for name in ("runc", "crun"):
        if shutil.which(name):
            runtimes[name] = shutil.which(name)
    tmp = Path(tempfile.mkdtemp(prefix="hull-bench-ctr-"))
    ctd = None
    samples = {r: [] for r in runtimes}
    try:
        ctd = Containerd(tmp)
        oci_image_archive(rootfs, tmp / "image.tar", IMAGE)
        r = ctd.ctr("image", "import", str(tmp / "image.tar"), timeout=120)
        if r.returncode != 0:
            raise RuntimeError(f"ctr image import: {r.stderr.strip()}")
        n = 0
        for rnd in range(-warmup, rounds):
            for name, binary in runtimes.items():
                n += 1
                cid = f"b-{name}-{os.getpid()}-{n}"
                argv = ctd.argv("run", "--rm", "--fifo-dir", str(tmp / "fifo"),
                                "--runc-binary", binary, "--runc-root",
                                str(tmp / f"runc-root-{name}"), IMAGE, cid, "/bin/true")
                t0 = time.monotonic_ns()
                p = subprocess.run(argv, capture_output=True, text=True,
                                   stdin=subprocess.DEVNULL, timeout=T)
                t1 = time.monotonic_ns()
                if p.returncode != 0:
                    raise RuntimeError(f"ctr run --rm with {name}: exit status "
                                       f"{p.returncode}: {p.stderr.strip()[-300:]}")
                if rnd >= 0:
                    samples[name].append(t1 - t0)
    finally:
        if ctd:
            ctd.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    return samples


def summarize(samples):
    med = {r: statistics.median(v) for r, v in samples.items() if v}
    out = {"runtimes": [{"name": r, "runs": len(v), "median_ns": med[r],
                         "min_ns": min(v), "max_ns": max(v), "samples_ns": v}
                        for r, v in samples.items() if v],
           "ratios": {}}
    for other in ("runc", "crun"):
        if "hull" in med and other in med:
            out["ratios"][f"hull/{other}"] = med["hull"] / med[other]
    return out


def markdown(summary, rounds):
    lines = ["## containerd: `ctr run --rm` end to end (bench/containerd.py)", "",
             f"A private containerd, the runtime as --runc-binary, `/bin/true`, "
             f"{rounds} rounds interleaved; wall time of each `ctr run --rm`.", "",
             "| runtime | median | min | max |", "|---|---:|---:|---:|"]
    for r in summary["runtimes"]:
        lines.append(f"| {r['name']} | {r['median_ns'] / 1e6:.1f} ms | "
                     f"{r['min_ns'] / 1e6:.1f} ms | {r['max_ns'] / 1e6:.1f} ms |")
    lines.append("")
    for k, v in summary["ratios"].items():
        lines.append(f"- {k}: {v:.2f}x (target: below 1)")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("hull")
    ap.add_argument("rootfs")
    ap.add_argument("--rounds", type=int, default=20)
    ap.add_argument("--json")
    ap.add_argument("--markdown")
    a = ap.parse_args()
    reason = why_skipped()
    if reason:
        msg = f"containerd row skipped: {reason}"
        print(msg, file=sys.stderr)
        if a.markdown:
            Path(a.markdown).write_text(f"## containerd: `ctr run --rm`\n\n{msg}\n")
        return 0
    try:
        summary = summarize(measure(os.path.abspath(a.hull), os.path.abspath(a.rootfs),
                                    a.rounds))
    except Exception as e:  # one line, not a traceback: the bench goes on
        print(f"containerd: {e}", file=sys.stderr)
        return 1
    md = markdown(summary, a.rounds)
    print(md)
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"schema_version": 1, **summary}, f, indent=1)
    if a.markdown:
        Path(a.markdown).write_text(md + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
