#!/usr/bin/python3
"""`hull create` with a RuntimeDefault-sized OCI seccomp profile: the
filter built (cache miss), loaded from the cache (hit), and with the cache
off (a linear build at every create, hull before the cache).

    python3 bench/seccomp_cache.py [-n N] [-w W] [--hull PATH] [--rootfs DIR]

The profile allows every syscall x86_64's asm/unistd_64.h names (~360)
but chmod and mkdir. Every round times each mode once, in alternating
order (miss hit off, off hit miss, ...): `hull create` spawned directly
(posix_spawn, no shell), timed from spawn to reap; the container is then
deleted (untimed). A miss gets an empty cache directory of its own. Prints
n, min, median, mean, p90 per mode in milliseconds. Needs root; the
machine's load shows in the absolute figures, compare within one run."""
import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

UNISTD = "/usr/include/x86_64-linux-gnu/asm/unistd_64.h"


def profile():
    names = set(re.findall(r"#define __NR_(\w+)\s+\d+", open(UNISTD).read()))
    names -= {"chmod", "fchmodat", "fchmodat2", "mkdir", "mkdirat"}
    return {"defaultAction": "SCMP_ACT_ERRNO",
            "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
            "syscalls": [{"names": sorted(names), "action": "SCMP_ACT_ALLOW"},
                         {"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO",
                          "errnoRet": 13}]}


def timed_create(hull, root, bundle, cid, env):
    argv = [hull, "--root", root, "create", "--bundle", bundle, cid]
    with open(os.devnull, "r+b") as null:
        fa = [(os.POSIX_SPAWN_DUP2, null.fileno(), fd) for fd in (0, 1, 2)]
        t0 = time.monotonic_ns()
        pid = os.posix_spawn(hull, argv, env, file_actions=fa)
        _, status = os.waitpid(pid, 0)
        t1 = time.monotonic_ns()
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"hull create {cid} failed")
    subprocess.run([hull, "--root", root, "delete", "--force", cid], timeout=10,
                   capture_output=True)
    return (t1 - t0) / 1e6


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    build = os.path.join(os.path.dirname(here), "build")
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("-n", type=int, default=40, help="measured rounds (default 40)")
    p.add_argument("-w", type=int, default=3, help="discarded rounds first (default 3)")
    p.add_argument("--hull", default=os.path.join(build, "bin", "hull"))
    p.add_argument("--rootfs", default=os.path.join(build, "rootfs"))
    a = p.parse_args()
    tmp = tempfile.mkdtemp(prefix="hull-seccache-bench-")
    try:
        bundle = os.path.join(tmp, "bundle")
        os.mkdir(bundle)
        subprocess.run([a.hull, "spec", "--bundle", bundle, "--rootfs", a.rootfs],
                       check=True, timeout=10)
        cfg_path = os.path.join(bundle, "config.json")
        cfg = json.load(open(cfg_path))
        cfg["process"]["args"] = ["true"]
        cfg["linux"]["seccomp"] = profile()
        json.dump(cfg, open(cfg_path, "w"))
        root = os.path.join(tmp, "state")
        warm = os.path.join(tmp, "warm")
        base = {k: v for k, v in os.environ.items() if not k.startswith("HULL_SECCOMP")}
        modes = ["miss", "hit", "off"]
        samples = {m: [] for m in modes}
        for r in range(a.w + a.n):
            for m in (modes if r % 2 == 0 else modes[::-1]):
                env = dict(base)
                if m == "miss":
                    env["HULL_SECCOMP_CACHE_DIR"] = os.path.join(tmp, f"cold{r}")
                elif m == "hit":
                    env["HULL_SECCOMP_CACHE_DIR"] = warm
                else:
                    env["HULL_SECCOMP_CACHE"] = "off"
                ms = timed_create(a.hull, root, bundle, f"sc-{m}-{r}", env)
                if m == "miss":
                    shutil.rmtree(env["HULL_SECCOMP_CACHE_DIR"], ignore_errors=True)
                if r >= a.w:
                    samples[m].append(ms)
        print(f"hull create, {len(profile()['syscalls'][0]['names'])}-syscall allow list, "
              f"n={a.n} interleaved rounds (ms)")
        print(f"{'mode':<6} {'min':>7} {'median':>7} {'mean':>7} {'p90':>7}")
        for m in modes:
            s = sorted(samples[m])
            p90 = s[min(len(s) - 1, int(0.9 * len(s)))]
            print(f"{m:<6} {s[0]:7.2f} {statistics.median(s):7.2f} "
                  f"{statistics.mean(s):7.2f} {p90:7.2f}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
