#!/usr/bin/python3
"""Soak, load and kill storm for hull; figures to reports/soak.md.

    soak.py [--short] [--build DIR] [--report FILE]

1. sequential: N runs one after another (10,000; --short 3,000), every
   fourth with cgroup limits. Before and after: host mounts (all, and those
   at the soak's rootfs, which only hull makes), container cgroups under the
   soak's cgroup parent, fds of this process (hull's parent), zombies and
   live processes left to this process, network namespaces (distinct
   /proc/*/ns/net inodes plus nsfs mounts of net namespaces), memory.
   Latency of the last 10 % of runs against the first 10 % (median ratio).
2. concurrent: M runs (1,000; --short 400), 16 at a time, each with its own
   hostname and exit code and a memory limit: every exit code right, every
   container saw its own hostname and had a cgroup no other had.
3. kill storm: K runs (200; --short 100) of a container with limits; at a
   random moment (0-40 ms after the start: before the clone, during setup
   or while the command runs) SIGKILL goes to hull or to the command.
   How long the container outlives a killed hull is measured; then
   `hull gc` runs, and nothing may be left: no cgroup, no process, no mount.

This process makes itself a child subreaper, so anything a run leaves
running is re-parented here and counted, not lost to init. Leak verdicts
use what only these runs can make (mounts at the soak's rootfs, cgroups
under the soak's parent, processes re-parented here); host-wide figures
(all mounts, all net namespaces, memory) are reported beside them, since
other work on a shared host moves them too. Exit status 1 on any leak or
wrong result."""
import argparse
import concurrent.futures
import ctypes
import glob
import os
import random
import re
import select
import signal
import statistics
import subprocess
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(REPO, "tests", "pylib"))
from hostutil import (cgroup_mount_points, children_of, descendants_of,  # noqa: E402
                      mount_points)
PARENT = "hull-soak"  # the soak's own cgroup parent
PR_SET_CHILD_SUBREAPER = 36
TIMEOUT = 30


def soak_cgroups():
    return sorted(d for p in cgroup_mount_points() for d in glob.glob(f"{p}/{PARENT}/*/"))


def children():
    """{pid: state} of every process whose parent is this one."""
    return children_of(os.getpid())


def reap(skip=()):
    """Reap zombies re-parented here (not the ones subprocess waits for)."""
    n = 0
    for pid, state in children().items():
        if pid in skip:
            continue
        try:
            if os.waitpid(pid, os.WNOHANG)[0]:
                n += 1
        except ChildProcessError:
            pass
    return n


def net_namespaces():
    inodes = set()
    for d in glob.glob("/proc/[0-9]*/ns/net"):
        try:
            inodes.add(os.stat(d).st_ino)
        except OSError:
            pass
    with open("/proc/self/mountinfo") as f:
        for line in f:
            pre, post = line.split(" - ", 1)
            if post.split()[0] == "nsfs" and "net:[" in pre:
                inodes.add(int(re.search(r"net:\[(\d+)\]", pre).group(1)))
    return len(inodes)


def meminfo():
    out = {}
    with open("/proc/meminfo") as f:
        for line in f:
            k, v = line.split(":")
            out[k] = int(v.split()[0])  # KiB
    return out


def snapshot(rootfs):
    m = mount_points()
    mem = meminfo()
    kids = children()
    with open("/proc/self/status") as f:
        rss = int(re.search(r"VmRSS:\s+(\d+)", f.read()).group(1))
    return {
        "mounts (host, all)": len(m),
        "mounts at the soak rootfs": sum(1 for p in m if p.startswith(rootfs)),
        "container cgroups": len(soak_cgroups()),
        "fds of the parent": len(os.listdir("/proc/self/fd")),
        "zombies left to the parent": sum(1 for s in kids.values() if s == "Z"),
        "processes left to the parent": sum(1 for s in kids.values() if s != "Z"),
        "net namespaces (host, all)": net_namespaces(),
        "MemAvailable KiB (host)": mem["MemAvailable"],
        "Slab KiB (host)": mem["Slab"],
        "soak RSS KiB": rss,
    }


# What must not change (leak verdicts), and what is reported only.
STRICT = ("mounts at the soak rootfs", "container cgroups", "fds of the parent",
          "zombies left to the parent", "processes left to the parent")


def compare(before, after):
    rows, leaks = [], []
    for k in before:
        d = after[k] - before[k]
        strict = k in STRICT
        if strict and d != 0:
            leaks.append(f"{k}: {before[k]} -> {after[k]}")
        rows.append(f"| {k} | {before[k]} | {after[k]} | {d:+d} | "
                    f"{'must be 0' if strict else 'shared host, reported'} |")
    return rows, leaks


def q(values, p):
    s = sorted(values)
    return s[min(len(s) - 1, int(p * len(s)))]


def fmt_ms(ns):
    return f"{ns / 1e6:.2f}"


class Soak:
    def __init__(self, build, short):
        self.hull = os.path.join(build, "bin", "hull")
        self.rootfs = os.path.realpath(os.path.join(build, "rootfs"))
        self.short = short
        self.report = []
        self.failures = []

    def run(self, args, **kw):
        return subprocess.run([self.hull, "run", *args], capture_output=True, timeout=TIMEOUT,
                              **kw)

    def sequential(self, n):
        before = snapshot(self.rootfs)
        lat, bad = [], []
        limits = ["--memory", "64m", "--pids", "64", "--cgroup-parent", PARENT]
        t0 = time.monotonic()
        for i in range(n):
            args = (limits if i % 4 == 3 else []) + [self.rootfs, "true"]
            s = time.monotonic_ns()
            r = self.run(args)
            lat.append(time.monotonic_ns() - s)
            if r.returncode != 0:
                bad.append((i, r.returncode, r.stderr[-200:]))
        took = time.monotonic() - t0
        reap()
        after = snapshot(self.rootfs)
        rows, leaks = compare(before, after)
        w = max(1, n // 10)
        first, last = lat[:w], lat[-w:]
        ratio = statistics.median(last) / statistics.median(first)
        self.figures["sequential runs"] = n
        self.figures["latency ratio"] = ratio
        self.report += [
            f"## 1. {n} sequential runs", "",
            f"{n} runs of `hull run ROOTFS true` in {took:.0f} s, every fourth with "
            f"`--memory 64m --pids 64`; {len(bad)} failed.", "",
            "| counter | before | after | change | |", "|---|--:|--:|--:|---|", *rows, "",
            f"Latency (ms, wall clock from this script, fork+exec of hull included): "
            f"first {w}: median {fmt_ms(statistics.median(first))}, p99 "
            f"{fmt_ms(q(first, .99))}; last {w}: median {fmt_ms(statistics.median(last))}, "
            f"p99 {fmt_ms(q(last, .99))}; **last/first median ratio {ratio:.3f}**; "
            f"all {n}: median {fmt_ms(statistics.median(lat))}, max {fmt_ms(max(lat))}.", ""]
        self.failures += [f"sequential: {x}" for x in leaks]
        self.failures += [f"sequential run {i}: exit {rc}: {err!r}" for i, rc, err in bad[:5]]
        if ratio > 2.0:
            self.failures.append(f"sequential: last/first latency ratio {ratio:.2f} > 2.0")
        self.leaks += len(leaks)

    def concurrent(self, n, width=16):
        before = snapshot(self.rootfs)
        host_name = os.uname().nodename
        script = ('hostname; grep -E "memory" /proc/self/cgroup | head -1; '
                  'exit $(( $(hostname | tr -dc 0-9) % 7 ))')

        def one(i):
            r = self.run(["--hostname", f"c{i}", "--memory", "32m", "--cgroup-parent", PARENT,
                          self.rootfs, "sh", "-c", script])
            return i, r

        results = []
        t0 = time.monotonic()
        with concurrent.futures.ThreadPoolExecutor(width) as pool:
            for i, r in pool.map(one, range(n)):
                results.append((i, r))
        took = time.monotonic() - t0
        reap()
        after = snapshot(self.rootfs)
        rows, leaks = compare(before, after)
        wrong, cgroups = [], {}
        for i, r in results:
            out = r.stdout.decode(errors="replace").split("\n")
            if r.returncode != i % 7 or out[0] != f"c{i}":
                wrong.append(f"run {i}: exit {r.returncode} (want {i % 7}), hostname "
                             f"{out[0]!r}, stderr {r.stderr[-200:]!r}")
                continue
            cg = out[1].split(":", 2)[-1] if len(out) > 1 else ""
            if not cg.startswith(f"/{PARENT}/"):
                wrong.append(f"run {i}: not in a cgroup of its own: {out[1:]!r}")
            elif cg in cgroups:
                wrong.append(f"runs {cgroups[cg]} and {i} shared the cgroup {cg}")
            cgroups[cg] = i
        if os.uname().nodename != host_name:
            wrong.append(f"host name changed to {os.uname().nodename!r}")
        self.figures["concurrent runs"] = n
        self.report += [
            f"## 2. {n} runs, {width} at a time", "",
            f"{n} runs in {took:.1f} s ({n / took:.0f} starts/s), each with its own "
            f"`--hostname` and `--memory 32m`, exiting with its number mod 7: "
            f"{n - len(wrong)} right, {len(wrong)} wrong; {len(cgroups)} distinct cgroups; "
            f"host name unchanged.", "",
            "| counter | before | after | change | |", "|---|--:|--:|--:|---|", *rows, ""]
        self.failures += [f"concurrent: {x}" for x in leaks + wrong[:10]]
        self.leaks += len(leaks)

    def kill_storm(self, n):
        before = snapshot(self.rootfs)
        rng = random.Random(8)
        killed = {"hull": 0, "command": 0}
        phases = {"before the clone": 0, "during setup (after the clone)": 0,
                  "while the command ran": 0}
        outlived, stuck = [], []
        for i in range(n):
            p = subprocess.Popen([self.hull, "run", "--memory", "32m", "--pids", "32",
                                  "--cgroup-parent", PARENT, self.rootfs, "sh", "-c",
                                  "echo up; while :; do :; done"],
                                 stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
            # A random moment: hull's setup takes the first few ms, so half
            # the kills land in 0-6 ms and half in 0-40 ms.
            try:
                p.wait(timeout=rng.uniform(0, 0.006 if i % 2 else 0.04))
            except subprocess.TimeoutExpired:
                pass
            tree = descendants_of(p.pid)
            ran = bool(select.select([p.stdout], [], [], 0)[0])  # "up" printed
            phase = ("while the command ran" if ran else
                     "during setup (after the clone)" if tree else "before the clone")
            phases[phase] += 1
            target = "hull" if (rng.random() < 0.5 or not tree) else "command"
            victim = p.pid if target == "hull" else tree[-1]
            killed[target] += 1
            t_kill = time.monotonic()
            try:
                os.kill(victim, signal.SIGKILL)
            except ProcessLookupError:
                pass
            try:
                p.wait(timeout=TIMEOUT)
            except subprocess.TimeoutExpired:
                stuck.append(f"run {i}: hull did not exit after its command was killed")
                p.kill()
                p.wait(timeout=TIMEOUT)
            p.stdout.close()
            if target == "hull":
                # The container's processes are re-parented here; wait for
                # them to go (PR_SET_PDEATHSIG), without sleeping blind:
                # poll, with a deadline.
                deadline = t_kill + 5
                while time.monotonic() < deadline:
                    reap(skip=())
                    if not children():
                        break
                    time.sleep(0.001)
                outlived.append(time.monotonic() - t_kill)
                if children():
                    stuck.append(f"run {i}: container outlived hull by more than 5 s")
            reap()
        left_before_gc = len(soak_cgroups())
        gc = subprocess.run([self.hull, "gc", "--cgroup-parent", PARENT], capture_output=True,
                            timeout=TIMEOUT)
        reap()
        after = snapshot(self.rootfs)
        rows, leaks = compare(before, after)
        worst = max(outlived) if outlived else 0.0
        self.figures["kill storm runs"] = n
        self.figures["kill storm leftovers"] = len(leaks) + after["container cgroups"]
        self.report += [
            f"## 3. Kill storm: {n} runs", "",
            f"SIGKILL to hull {killed['hull']} times and to the command {killed['command']} "
            f"times: {', '.join(f'{v} {k}' for k, v in phases.items())}. After hull was "
            f"killed its "
            f"container was gone in at most {worst * 1000:.1f} ms (median "
            f"{statistics.median(outlived) * 1000 if outlived else 0:.1f} ms). "
            f"Container cgroups left by killed hulls: {left_before_gc}; `hull gc` exit "
            f"{gc.returncode}, then {after['container cgroups']} left.", "",
            "| counter | before | after gc | change | |", "|---|--:|--:|--:|---|", *rows, ""]
        if gc.returncode != 0:
            self.failures.append(f"kill storm: hull gc exit {gc.returncode}: {gc.stderr!r}")
        if worst > 0.1:
            self.failures.append(f"kill storm: a container outlived hull by {worst * 1000:.0f} ms"
                                 " (> 100 ms)")
        self.failures += [f"kill storm: {x}" for x in leaks + stuck[:10]]
        self.leaks += len(leaks)

    def main(self, report_path):
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
            sys.exit("soak: cannot become a child subreaper")
        if os.geteuid() != 0:
            sys.exit("soak: needs root (namespaces, cgroups)")
        for path in (self.hull, os.path.join(self.rootfs, "bin", "busybox")):
            if not os.path.exists(path):
                sys.exit(f"soak: {path} is missing (make all rootfs)")
        self.figures, self.leaks = {}, 0
        n_seq, n_conc, n_kill = (3000, 400, 100) if self.short else (10000, 1000, 200)
        t0 = time.monotonic()
        # hull makes its state directories on demand; those this soak made
        # are removed at its end when empty (innermost first).
        run_bases = [d for d in ("/run/hull/cgroups", "/run/hull") if not os.path.exists(d)]
        commit = subprocess.run(["git", "-C", REPO, "rev-parse", "--short", "HEAD"],
                                capture_output=True, text=True, timeout=10).stdout.strip()
        self.sequential(n_seq)
        self.concurrent(n_conc)
        self.kill_storm(n_kill)
        subprocess.run([self.hull, "gc", "--cgroup-parent", PARENT], capture_output=True,
                       timeout=TIMEOUT)
        for p in cgroup_mount_points():  # the soak's own (now empty) parent
            try:
                os.rmdir(f"{p}/{PARENT}")
            except OSError:
                pass
        for d in run_bases:
            try:
                os.rmdir(d)
            except OSError:
                pass
        took = time.monotonic() - t0
        head = [
            f"# hull soak ({'short' if self.short else 'full'})", "",
            f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, commit {commit or '?'}, "
            f"kernel {os.uname().release}, {os.cpu_count()} cpus, {took:.0f} s. "
            f"Made by `make soak` (tests/soak/soak.py).", "",
            f"**Runs: {sum(self.figures.get(k, 0) for k in ('sequential runs', 'concurrent runs', 'kill storm runs'))}; "
            f"leaks found: {self.leaks}; kill-storm leftovers after `hull gc`: "
            f"{self.figures.get('kill storm leftovers', '?')}; failures: {len(self.failures)}.**",
            ""]
        tail = ["## Failures", ""] + [f"- {f}" for f in self.failures] if self.failures else []
        text = "\n".join(head + self.report + tail) + "\n"
        os.makedirs(os.path.dirname(os.path.abspath(report_path)), exist_ok=True)
        with open(report_path, "w") as f:
            f.write(text)
        print(text)
        return 1 if self.failures else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--short", action="store_true", help="the CI form: 1-2 minutes")
    ap.add_argument("--build", default=os.environ.get("HULL_BUILD", os.path.join(REPO, "build")))
    ap.add_argument("--report", default=os.path.join(REPO, "reports", "soak.md"))
    a = ap.parse_args()
    sys.exit(Soak(os.path.abspath(a.build), a.short).main(a.report))


if __name__ == "__main__":
    main()
