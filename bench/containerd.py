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
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# The private containerd the e2e tests use too (tests/pylib/private_containerd.py).
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "pylib"))
from private_containerd import TOOLS, Containerd  # noqa: E402

T = 30  # seconds: every subprocess call's timeout
NS = "hull-bench-ctr"  # containerd namespace (and the containers' cgroup parent)
IMAGE = "docker.io/library/hull-bench:latest"


def why_skipped():
    if os.geteuid() != 0:
        return "needs root"
    for tool in TOOLS:
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
        ctd = Containerd(tmp, NS, hide_cgroup2=True)
        ctd.import_image(rootfs, IMAGE, cmd=["/bin/true"])
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
