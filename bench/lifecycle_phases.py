#!/usr/bin/env python3
"""lifecycle_phases.py — where hull's create, start and delete spend their time.

The lifecycle section of `make bench` (hull-harness latency, suite lifecycle)
times each step whole. This runs the same engine path (create with a pid
file and a cgroupsPath, start, wait untimed for the container's exit,
delete) with `hull --trace-fd` and splits each step at its trace marks:
from the spawn to hull's main ("exec hull"), then mark to mark, then from
the last mark to the reaped exit. Marks are sorted by time: the container's
own marks (written by the child during create) interleave with the parent's.
The medians of the phases of one step add up to about (not exactly) the
median of the step.

    lifecycle_phases.py HULL ROOTFS [--rounds N] [--json OUT] [--markdown OUT]

Root only (a cgroup per container); exit status 0, or 1 when a step failed.
"""
import argparse
import json
import os
import select
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

STEPS = ("create", "start", "delete")
# What the time up to each mark was spent on.
LABELS = {
    "start": "exec hull, dynamic setup, main",
    "parsed": "global options",
    "config_loaded": "read + validate config.json",
    "state_dir_made": "state dir + lock",
    "fifo_made": "exec fifo",
    "cgroup_created": "prepare (sync, seccomp) + cgroup mkdir + limits",
    "cloned": "clone3 (namespaces)",
    "child_entered": "child: first instruction",
    "cgroup_joined": "child joins its cgroup (v1: \"0\" into tasks, no grace period)",
    "lo_up": "child: loopback up",
    "mounts_private": "child: private mounts",
    "proc_mounted": "child: bind rootfs + /proc",
    "dev_ready": "child: /dev",
    "paths_masked": "child: mask /proc paths",
    "root_switched": "child: pivot_root",
    "hostname_set": "child: hostname",
    "go_received": "child waits for go (hull: lo up, /dev)",
    "dev_attached": "child: attach the /dev hull built",
    "caps_set": "child: capabilities",
    "seccomp_installed": "child: seccomp",
    "child_ready": "child reports ready (waits on the fifo)",
    "state_written": "state.json + pid file",
    "state_opened": "open + lock the state",
    "released": "one byte into the exec fifo",
    "killed": "kill + wait (only if alive)",
    "cgroup_removed": "cgroup rmdir",
    "state_removed": "poststop hooks + state dir removed",
    "done": "cleanup in hull",
    "reaped": "hull exits, reaped",
}


def run_step(hull, root, args, trace_path, timeout=20):
    """One timed step; returns (t_spawn, t_reaped, marks) or raises."""
    fd = os.open(trace_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    # stderr to a file, not a pipe: the created container holds it open.
    with tempfile.TemporaryFile() as err:
        try:
            t0 = time.monotonic_ns()
            p = subprocess.Popen([hull, "--root", root, "--trace-fd", str(fd), *args],
                                 pass_fds=(fd,), stdin=subprocess.DEVNULL,
                                 stdout=subprocess.DEVNULL, stderr=err)
            # Not wait(timeout=): that polls with growing sleeps and adds
            # up to milliseconds to a step; a pidfd wakes at the exit.
            pidfd = os.pidfd_open(p.pid)
            try:
                exited = select.select([pidfd], [], [], timeout)[0]
            finally:
                os.close(pidfd)
            if not exited:
                p.kill()
                p.wait()
                raise RuntimeError(f"hull {args[0]}: no exit within {timeout} s")
            p.wait()
            t1 = time.monotonic_ns()
        finally:
            os.close(fd)
        if p.returncode != 0:
            err.seek(0)
            raise RuntimeError(f"hull {args[0]}: exit status {p.returncode}: "
                               f"{err.read().decode(errors='replace').strip()}")
    with open(trace_path) as f:
        marks = [json.loads(line) for line in f if line.strip()]
    return t0, t1, marks


def phases(t0, t1, marks):
    """[(mark, ns)] telescoping from t0 to t1: marks after hull's "done"
    (the container's exec, written at start) are not this step's."""
    marks = sorted(marks, key=lambda m: m["t_ns"])
    out, prev = [], t0
    for m in marks:
        out.append((m["phase"], m["t_ns"] - prev))
        prev = m["t_ns"]
        if m["phase"] == "done":
            break
    out.append(("reaped", t1 - prev))
    return out


def wait_exit(pid_file, timeout_s=10):
    with open(pid_file) as f:
        pid = int(f.read().strip())
    try:
        pidfd = os.pidfd_open(pid)
    except ProcessLookupError:
        return
    try:
        if not select.select([pidfd], [], [], timeout_s)[0]:
            raise RuntimeError("the container did not exit after start")
    finally:
        os.close(pidfd)


def make_bundle(hull, rootfs, bundle, cgroups_path):
    subprocess.run([hull, "spec", "--bundle", bundle, "--rootfs", rootfs], check=True,
                   timeout=10, capture_output=True)
    path = os.path.join(bundle, "config.json")
    with open(path) as f:
        cfg = json.load(f)
    cfg["process"]["args"] = ["/bin/true"]
    cfg["process"]["terminal"] = False
    cfg.setdefault("linux", {})["cgroupsPath"] = cgroups_path
    with open(path, "w") as f:
        json.dump(cfg, f)


def measure(hull, rootfs, rounds, warmup=3):
    tmp = tempfile.mkdtemp(prefix="hull-lcphases-")
    root, bundle = os.path.join(tmp, "state"), os.path.join(tmp, "bundle")
    os.makedirs(bundle)
    cgroups_path = f"/hh-lcphases-{os.getpid()}"
    make_bundle(hull, rootfs, bundle, cgroups_path)
    samples = {s: [] for s in STEPS}  # per step: [[(mark, ns)...] per round]
    try:
        for r in range(-warmup, rounds):
            cid = f"lcp-{os.getpid()}-{r + warmup}"
            pid_file = os.path.join(tmp, cid + ".pid")
            got = {}
            # A file per step: the container keeps create's trace fd and
            # writes its exec mark there at start.
            trace = os.path.join(tmp, cid + ".trace")
            try:
                got["create"] = phases(*run_step(hull, root, ["create", "--bundle", bundle,
                                                              "--pid-file", pid_file, cid],
                                                 trace))
                got["start"] = phases(*run_step(hull, root, ["start", cid],
                                                 trace + ".start"))
                wait_exit(pid_file)
                got["delete"] = phases(*run_step(hull, root, ["delete", cid],
                                                 trace + ".delete"))
            except Exception:
                subprocess.run([hull, "--root", root, "delete", "--force", cid],
                               capture_output=True, timeout=20)
                raise
            if r >= 0:
                for s in STEPS:
                    samples[s].append(got[s])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return samples


def summarize(samples):
    out = {}
    for step, rounds in samples.items():
        names = []  # the order of the first round, then any others
        for rnd in rounds:
            for name, _ in rnd:
                if name not in names:
                    names.append(name)
        totals = [sum(ns for _, ns in rnd) for rnd in rounds]
        rows = []
        for name in names:
            vals = [dict(rnd).get(name) for rnd in rounds]
            vals = [v for v in vals if v is not None]
            rows.append({"until": name, "what": LABELS.get(name, name),
                         "median_ns": statistics.median(vals), "seen": len(vals)})
        out[step] = {"median_ns": statistics.median(totals), "rounds": len(rounds),
                     "phases": rows}
    return out


def markdown(summary):
    lines = ["## hull's engine path, phase by phase (bench/lifecycle_phases.py)", "",
             "Medians of each phase; a step's phases add up to about its median. "
             "Spawned from Python with --trace-fd (the lifecycle table above is "
             "the harness's, without tracing).", ""]
    for step in STEPS:
        s = summary[step]
        lines += [f"### hull {step}: median {s['median_ns'] / 1e6:.2f} ms ({s['rounds']} rounds)",
                  "", "| until mark | spent on | median |", "|---|---|---:|"]
        for row in s["phases"]:
            lines.append(f"| {row['until']} | {row['what']} | {row['median_ns'] / 1e6:.3f} ms |")
        lines.append("")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("hull")
    ap.add_argument("rootfs")
    ap.add_argument("--rounds", type=int, default=30)
    ap.add_argument("--json")
    ap.add_argument("--markdown")
    a = ap.parse_args()
    if os.geteuid() != 0:
        print("lifecycle_phases: skipped: needs root (a cgroup per container)", file=sys.stderr)
        return 0
    try:
        summary = summarize(measure(os.path.abspath(a.hull), os.path.abspath(a.rootfs),
                                    a.rounds))
    except Exception as e:  # one line, not a traceback: the bench goes on
        print(f"lifecycle_phases: {e}", file=sys.stderr)
        return 1
    md = markdown(summary)
    print(md)
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"schema_version": 1, "steps": summary}, f, indent=1)
    if a.markdown:
        with open(a.markdown, "w") as f:
            f.write(md + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
