#!/usr/bin/python3
"""CPU per container and sustained rate: `hull run` against a pool (POOL.md).

    python3 bench/pool_cpu.py build/bin/hull build/rootfs [--levels 1,4,16]
        [--per-level 320] [--rounds 3] [--size 4] [--pool-opt OPT ...]

K client threads at once, each spawning containers back to back (the probe,
`/bin/hull-probe --stamp`, as make bench's sustained rows), first with
`hull run ROOTFS`, then with hull-pool-run (or `hull run --pool` without it)
`--pool P --wait` (--no-wait: without), levels and rows interleaved,
--rounds times. Every row's
processes run in cpuacct cgroups of this script's own: the clients (and for
`hull run` everything) in `client`, the pool's supervisor, keepers and slots
in `pool`; the script's own CPU is subtracted. So on a machine others load
too, the CPU per container is still this row's own, while containers/s
depends on what the others do. Prints containers/s, CPU ms per container
(client side, pool side) and how the pool served (from `pool status`).
Root needed (cgroups); the cgroups and the pool are removed at the end."""
import argparse
import json
import os
import resource
import subprocess
import sys
import threading
import time
import uuid

CPUACCT = "/sys/fs/cgroup/cpuacct"
PROBE = ["/bin/hull-probe", "--stamp"]


def cg_usage(cg):
    with open(os.path.join(cg, "cpuacct.usage")) as f:
        return int(f.read())


def self_cpu_ns():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return int((r.ru_utime + r.ru_stime) * 1e9)


def enter(cg):
    with open(os.path.join(cg, "cgroup.procs"), "w") as f:
        f.write(str(os.getpid()))


def run_level(argv, k, per):
    """k threads, per spawns each; (wall ns, failures)."""
    null = os.open("/dev/null", os.O_RDWR)
    failures = []

    def client():
        for _ in range(per):
            pid = os.posix_spawn(argv[0], argv, os.environ,
                                 file_actions=[(os.POSIX_SPAWN_DUP2, null, 0),
                                               (os.POSIX_SPAWN_DUP2, null, 1),
                                               (os.POSIX_SPAWN_DUP2, null, 2)])
            _, status = os.waitpid(pid, 0)
            if status != 0:
                failures.append(status)

    threads = [threading.Thread(target=client) for _ in range(k)]
    t0 = time.monotonic_ns()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.monotonic_ns() - t0
    os.close(null)
    return wall, len(failures)


def status(hull, name):
    r = subprocess.run([hull, "pool", "status", name, "--json"], capture_output=True,
                       text=True, timeout=30)
    return json.loads(r.stdout) if r.returncode == 0 else None


def wait_full(hull, name, size, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        s = status(hull, name)
        if s and s["ready"] >= size:
            return s
        time.sleep(0.005)
    sys.exit("pool did not refill")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("hull")
    ap.add_argument("rootfs")
    ap.add_argument("--levels", default="1,4,16")
    ap.add_argument("--per-level", type=int, default=320)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--size", type=int, default=4)
    ap.add_argument("--pool-opt", action="append", default=[],
                    help="an option for `hull pool start` (repeat)")
    ap.add_argument("--no-hull", action="store_true", help="the pool rows only")
    ap.add_argument("--no-wait", action="store_true",
                    help="pool runs without --wait (an empty pool: queued or a normal start)")
    ap.add_argument("--variant", action="append", default=[],
                    help="LABEL:K=V,...: one more pool row whose supervisor gets this "
                    "environment; HULL=PATH takes the pool and its client from another "
                    "build (before/after, interleaved)")
    a = ap.parse_args()
    if os.geteuid() != 0:
        sys.exit("pool_cpu: needs root (cpuacct cgroups)")
    hull, rootfs = os.path.abspath(a.hull), os.path.abspath(a.rootfs)
    levels = [int(x) for x in a.levels.split(",")]
    top = os.path.join(CPUACCT, "hull-poolcpu-%d" % os.getpid())
    cg = {n: os.path.join(top, n) for n in ("client", "pool", "idle")}
    pools = {"pool": {}}
    for v in a.variant:
        label, _, kv = v.partition(":")
        pools[label] = dict(x.split("=", 1) for x in kv.split(",") if x)
        # Checked before anything is made: a missing build failed the
        # pool's start, then its stop, and left the cgroups behind.
        if "HULL" in pools[label] and not os.access(pools[label]["HULL"], os.X_OK):
            sys.exit("pool_cpu: variant %s: %s is not an executable" % (label, pools[label]["HULL"]))
    for d in [top] + list(cg.values()):
        os.mkdir(d)
    names = {}
    hulls = {}  # each pool's own hull answers its status and stops it
    results = {}
    try:
        rows = [("hull", [hull, "run", rootfs] + PROBE, None)] if not a.no_hull else []
        for label, env in pools.items():
            name = names[label] = "cpu-" + uuid.uuid4().hex[:8]
            pool_hull = hulls[name] = os.path.abspath(env.pop("HULL", hull))
            client = os.path.join(os.path.dirname(pool_hull), "hull-pool-run")
            enter(cg["pool"])
            r = subprocess.run([pool_hull, "pool", "start", name, "--size", str(a.size)] +
                               a.pool_opt + [rootfs], capture_output=True, text=True,
                               timeout=300, env=dict(os.environ, **env))
            enter(cg["idle"])
            if r.returncode != 0:
                sys.exit("pool start: " + r.stderr.strip())
            wait = [] if a.no_wait else ["--wait"]
            if os.access(client, os.X_OK):
                argv = [client, "--pool", name] + wait + ["--"] + PROBE
            else:
                argv = [pool_hull, "run", "--pool", name] + wait + ["--"] + PROBE
            rows.append((label, argv, name))
        for rnd in range(a.rounds):
            for k in levels:
                per = (a.per_level + k - 1) // k
                for label, argv, name in rows:
                    for other in names.values():
                        before = wait_full(hulls[other], other, a.size)
                    if name:
                        before = wait_full(hulls[name], name, a.size)
                    u0 = {n: cg_usage(c) for n, c in cg.items()}
                    enter(cg["client"])
                    s0 = self_cpu_ns()
                    wall, fails = run_level(argv, k, per)
                    s1 = self_cpu_ns()
                    enter(cg["idle"])
                    # The pool's teardown of the last containers belongs to the row.
                    after = wait_full(hulls[name], name, a.size) if name else None
                    u1 = {n: cg_usage(c) for n, c in cg.items()}
                    n = k * per
                    client = (u1["client"] - u0["client"] - (s1 - s0)) / n / 1e6
                    pool = (u1["pool"] - u0["pool"]) / n / 1e6
                    rate = n * 1e9 / wall
                    res = results.setdefault((label, k), [])
                    res.append((rate, client, pool, fails))
                    extra = ""
                    if after:
                        served = after["served"] - before["served"]
                        extra = " served %d" % served
                        if "served_queued" in after:
                            queued = after["served_queued"] - before["served_queued"]
                            extra += " (%d%% queued for a slot, %d sent back)" % (
                                100 * queued // max(served, 1),
                                after["sent_back"] - before["sent_back"])
                        if "given_back" in after:
                            extra += " %d given back" % (after["given_back"] - before["given_back"])
                        if "reused" in after:
                            # Full before and after: every slot served was
                            # prepared in the row, by a reused keeper or a
                            # new one (a fork of the supervisor).
                            extra += " %d new keepers" % (
                                served - (after["reused"] - before["reused"]))
                    print("round %d  %2d at once  %-6s %6.1f/s  cpu/container %.2f ms "
                          "(client %.2f, pool %.2f)  failed %d%s" %
                          (rnd, k, label, rate, client + pool, client, pool, fails, extra),
                          flush=True)
    finally:
        enter(cg["idle"])
        for name in names.values():
            try:
                subprocess.run([hulls[name], "pool", "stop", name], capture_output=True,
                               timeout=60)
            except (OSError, subprocess.SubprocessError) as e:
                print("pool_cpu: cannot stop pool %s: %s" % (name, e), file=sys.stderr)
        with open(os.path.join(CPUACCT, "cgroup.procs"), "w") as f:
            f.write(str(os.getpid()))
        for c in list(cg.values()) + [top]:
            for _ in range(100):
                try:
                    os.rmdir(c)
                    break
                except OSError:
                    time.sleep(0.05)
    print("\nmedians over %d rounds (%d containers per level)" % (a.rounds, a.per_level))
    print("| at once | row | containers/s | CPU ms / container | client | pool side |")
    print("|---:|---|---:|---:|---:|---:|")
    for (label, k), res in sorted(results.items(), key=lambda x: (x[0][1], x[0][0])):
        med = lambda i: sorted(r[i] for r in res)[len(res) // 2]
        print("| %d | %s | %.0f | %.2f | %.2f | %.2f |" %
              (k, label, med(0), med(1) + med(2), med(1), med(2)))


if __name__ == "__main__":
    main()
