#!/usr/bin/python3
"""Interleaved A/B of hull builds on the normal start path, phase by phase.

    python3 bench/start_ab.py [-n N] [-w W] [--rootfs DIR] [--ns LIST]
                              [--floor PATH] [--json FILE] NAME=HULL[:OPTS] ...

hull-harness latency measures the one hull next to it; a change to the
start path wants the build before and the build after in one run. Each
variant is a hull binary with optional extra `hull run` options after a
colon (`new=build/bin/hull:--privileged`); --floor adds build/bin/hull-floor.
Every round starts each variant once, in alternating order (A B C, C B A,
...), so drift of a shared machine hits all alike. Each start is spawned
directly (posix_spawn of the binary itself, no shell) with hull-probe
--stamp as the command: *start* is spawn -> the probe's first clock read,
*round trip* until the reap; hull's --trace-fd marks split its start into
the phases of make bench's table. Prints medians and the ratios of each
variant's medians to the first one's (and to the floor's): compare ratios
within one run, never absolute times across runs. Needs root."""
import argparse
import json
import os
import select
import signal
import statistics
import sys
import time

PROBE = ["/bin/hull-probe", "--stamp"]
TIMEOUT_S = 10


def parse_args():
    here = os.path.dirname(os.path.abspath(__file__))
    build = os.path.join(os.path.dirname(here), "build")
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("-n", type=int, default=200, help="measured rounds (default 200)")
    p.add_argument("-w", type=int, default=10, help="discarded rounds first (default 10)")
    p.add_argument("--rootfs", default=os.path.join(build, "rootfs"))
    p.add_argument("--ns", default="mnt,uts,pid,ipc,net")
    p.add_argument("--floor", help="hull-floor binary to add as the 'floor' row")
    p.add_argument("--json", help="write every raw sample (ns) here")
    p.add_argument("variants", nargs="+", metavar="NAME=HULL[:OPTS]")
    a = p.parse_args()
    if a.n < 1 or a.w < 0:
        p.error("-n must be at least 1 and -w at least 0")
    variants = []
    for v in a.variants:
        name, eq, rest = v.partition("=")
        path, _, opts = rest.partition(":")
        if not eq or not name or not path:
            p.error(f"'{v}' is not NAME=HULL[:OPTS]")
        if not os.access(path, os.X_OK):
            p.error(f"'{path}' is not an executable file")
        variants.append((name, os.path.abspath(path), opts.split()))
    if a.floor:
        variants.append(("floor", os.path.abspath(a.floor), None))
    if len({n for n, _, _ in variants}) != len(variants):
        p.error("variant names must differ")
    return a, variants


def drain(fd):
    data = b""
    while chunk := os.read(fd, 65536):
        data += chunk
    os.close(fd)
    return data


def start_once(a, path, opts):
    """One start: (t_spawn, t_probe_entry, t_reaped, [(mark, t)])."""
    trace_r, trace_w = os.pipe()
    out_r, out_w = os.pipe()
    # A hostname needs the uts namespace (--ns none measures the bare exec).
    host = ["--hostname", "hull"] if "uts" in a.ns or a.ns == "all" else []
    if opts is None:  # the floor: no trace marks
        argv = [path, "--ns", a.ns, *host, a.rootfs, *PROBE]
    else:
        argv = [path, "run", *opts, "--ns", a.ns, *host, "--trace-fd", "3",
                a.rootfs, "--", *PROBE]
    actions = [(os.POSIX_SPAWN_DUP2, out_w, 1), (os.POSIX_SPAWN_DUP2, trace_w, 3)]
    t0 = time.monotonic_ns()
    pid = os.posix_spawn(path, argv, {"PATH": "/usr/bin:/bin"}, file_actions=actions)
    pidfd = os.pidfd_open(pid)
    ready = select.select([pidfd], [], [], TIMEOUT_S)[0]
    if not ready:
        os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    t1 = time.monotonic_ns()
    os.close(pidfd)
    os.close(trace_w)
    os.close(out_w)
    trace, out = drain(trace_r), drain(out_r)
    if not ready or status != 0:
        raise SystemExit(f"start_ab: {' '.join(argv)}: "
                         f"{'timed out' if not ready else f'wait status {status}'}")
    entry = json.loads(out)["t_entry_ns"]
    marks = [(m["phase"], m["t_ns"]) for m in map(json.loads, trace.splitlines())]
    return t0, entry, t1, marks


def main():
    a, variants = parse_args()
    samples = {n: {"start": [], "round_trip": [], "phases": {}} for n, _, _ in variants}
    phase_order = []
    for rnd in range(a.w + a.n):
        for name, path, opts in (variants if rnd % 2 == 0 else variants[::-1]):
            t0, entry, t1, marks = start_once(a, path, opts)
            if rnd < a.w:
                continue
            s = samples[name]
            s["start"].append(entry - t0)
            s["round_trip"].append(t1 - t0)
            # Each phase ends at its mark and starts at the previous one;
            # the parent's and the child's marks interleave by time.
            prev = t0
            for phase, t in sorted(marks + [("probe entry", entry)], key=lambda m: m[1]):
                s["phases"].setdefault(phase, []).append(t - prev)
                prev = t
                if phase not in phase_order:
                    phase_order.append(phase)
    med = lambda xs: statistics.median(xs) / 1000 if xs else None
    cell = lambda x: f"{x:12.1f}" if x is not None else f"{'-':>12}"
    names = [n for n, _, _ in variants]
    print(f"{'median, µs':24}" + "".join(f"{n:>12}" for n in names))
    for key, label in (("start", "spawn -> probe"), ("round_trip", "round trip")):
        print(f"{label:24}" + "".join(cell(med(samples[n][key])) for n in names))
    for phase in phase_order:
        print(f"  {phase:22}" + "".join(cell(med(samples[n]["phases"].get(phase, [])))
                                        for n in names))
    refs = [names[0]] + (["floor"] if a.floor and names[0] != "floor" else [])
    for ref in refs:
        for n in names:
            if n == ref or (n == "floor" and ref != "floor"):
                continue
            r = [med(samples[n][k]) / med(samples[ref][k]) for k in ("start", "round_trip")]
            print(f"{n}/{ref}: start {r[0]:.3f}, round trip {r[1]:.3f}")
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"schema_version": 1, "rounds": a.n, "warmup": a.w, "ns": a.ns,
                       "variants": [{"name": n, "program": p, "options": o}
                                    for n, p, o in variants],
                       "samples_ns": samples}, f)
    return 0


if __name__ == "__main__":
    sys.exit(main())
