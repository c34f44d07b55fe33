#!/usr/bin/python3
"""The request path of `hull run --pool`, phase by phase (core/lib/POOL.md).

    python3 bench/pool_phases.py build/bin/hull build/rootfs [--runs 300]

Starts a pool of its own (4 slots, the default profile), then interleaves
three commands, each spawned directly with posix_spawn and timed from just
before the spawn: a bare exec of the probe, `hull --version` (the client's
own exec), and `hull run --pool P --wait --trace-fd N -- hull-probe
--stamp`. The pool's marks split its start: the client's (start, parsed,
connected, request_sent) and the slot's (slot_woken, request_read, exec),
then the probe's own entry stamp. Before each pool run the pool is waited
for (untimed) until it is full again. The rows that compare two processes'
clocks (the client's and the slot's) are indications: on this VM
CLOCK_MONOTONIC read on two vCPUs was once seen milliseconds apart.
Prints medians and p25; the pool is stopped at the end."""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import uuid

CHAIN = ["spawn", "start", "parsed", "connected", "request_sent", "slot_woken",
         "request_read", "exec", "entry"]
WHAT = {
    "start": "spawn + exec of the hull client to its main",
    "parsed": "options parsed",
    "connected": "connected to the pool's socket",
    "request_sent": "request (argv, env, cwd, fds) sent",
    "slot_woken": "a ready slot takes the connection (accept) and has the request",
    "request_read": "slot reads the request, takes the stdio",
    "exec": "environment, cwd: up to execve",
    "entry": "execve of the command to its main",
}


def spawn_timed(argv, pass_fd=None):
    """posix_spawn argv with stdout to a pipe; (t_spawn, stdout, t_reaped)."""
    r, w = os.pipe()
    null = os.open("/dev/null", os.O_WRONLY)
    if pass_fd is not None:
        os.set_inheritable(pass_fd, True)
    t0 = time.monotonic_ns()
    pid = os.posix_spawn(argv[0], argv, os.environ,
                         file_actions=[(os.POSIX_SPAWN_DUP2, w, 1),
                                       (os.POSIX_SPAWN_DUP2, null, 2)])
    os.close(w)
    os.close(null)
    if pass_fd is not None:
        os.close(pass_fd)
    out = b""
    while chunk := os.read(r, 4096):
        out += chunk
    os.waitpid(pid, 0)
    t1 = time.monotonic_ns()
    os.close(r)
    return t0, out, t1


def pool_ready(hull, name):
    r = subprocess.run([hull, "pool", "status", name, "--json"], capture_output=True,
                       text=True, timeout=30)
    return r.returncode == 0 and json.loads(r.stdout)["ready"] >= 4


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("hull")
    ap.add_argument("rootfs")
    ap.add_argument("--runs", type=int, default=300)
    ap.add_argument("--warmup", type=int, default=10)
    a = ap.parse_args()
    hull, rootfs = os.path.abspath(a.hull), os.path.abspath(a.rootfs)
    name = "phases-" + uuid.uuid4().hex[:8]
    r = subprocess.run([hull, "pool", "start", name, "--size", "4", rootfs],
                       capture_output=True, text=True, timeout=120)
    if r.returncode != 0:
        sys.exit(f"pool_phases: cannot start a pool: {r.stderr.strip()}")
    bare, client, pool, marks = [], [], [], []
    try:
        for i in range(a.warmup + a.runs):
            t0, out, _ = spawn_timed([rootfs + "/bin/hull-probe", "--stamp"])
            entry_bare = json.loads(out)["t_entry_ns"] - t0
            t0, _, t1 = spawn_timed([hull, "--version"])
            version = t1 - t0
            deadline = time.monotonic() + 60
            while not pool_ready(hull, name) and time.monotonic() < deadline:
                time.sleep(0.002)
            tr, tw = os.pipe()
            t0, out, _ = spawn_timed([hull, "run", "--pool", name, "--wait", "--trace-fd",
                                      str(tw), "--", "/bin/hull-probe", "--stamp"], pass_fd=tw)
            trace = b""
            while chunk := os.read(tr, 4096):
                trace += chunk
            os.close(tr)
            if i < a.warmup:
                continue
            m = {json.loads(line)["phase"]: json.loads(line)["t_ns"]
                 for line in trace.decode().splitlines()}
            m["spawn"], m["entry"] = t0, json.loads(out)["t_entry_ns"]
            bare.append(entry_bare)
            client.append(version)
            pool.append(m["entry"] - t0)
            marks.append(m)
    finally:
        subprocess.run([hull, "pool", "stop", name], capture_output=True, timeout=60)

    def ms(v):
        return f"{v / 1e6:.2f} ms"

    print(f"{a.runs} runs each, interleaved; medians (p25)")
    print(f"bare exec of the probe, spawn -> main: {ms(statistics.median(bare))}")
    print(f"hull --version, spawn -> reaped:        {ms(statistics.median(client))}")
    med = statistics.median(pool)
    print(f"hull run --pool, spawn -> probe main:  {ms(med)} "
          f"({med / statistics.median(bare):.2f}x bare)")
    print()
    print("| phase | until | median | p25 |")
    print("|---|---|---:|---:|")
    for prev, mark in zip(CHAIN, CHAIN[1:]):
        d = [m[mark] - m[prev] for m in marks if prev in m and mark in m]
        q = statistics.quantiles(d, n=4)[0]
        print(f"| {WHAT[mark]} | {mark} | {statistics.median(d) / 1e3:.0f} us | "
              f"{q / 1e3:.0f} us |")


if __name__ == "__main__":
    main()
