"""make bench and hull-harness latency, end to end: the quick suite writes
a complete report, missing runtimes are skipped cleanly, and hull's phase
marks are monotonic and add up to the end-to-end time.

Timings are never asserted against absolute values: only structure,
consistency between numbers of the same run, and exact identities."""
import json
import os
import shutil
import statistics
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from conftest import BUILD, REPO

# hull's trace marks of a default start, in order (harness/latency_trace.c).
# The child shares hull's memory while hull is suspended (core/README.md):
# it builds /dev itself (dev_ready) and waits for no go.
CHAIN = ["start", "parsed", "child_entered", "mounts_private", "proc_mounted", "dev_ready",
         "paths_masked", "root_switched", "hostname_set", "caps_set", "seccomp_installed",
         "exec"]


def latency(harness, *args, env=None, timeout=180):
    return subprocess.run([harness, "latency", *args], capture_output=True, text=True,
                          timeout=timeout, env=env)


@pytest.fixture(scope="module")
def quick_bench(tmp_path_factory):
    """One BENCH_QUICK=1 make bench into a temporary reports directory."""
    reports = tmp_path_factory.mktemp("reports")
    p = subprocess.run(
        ["make", "-s", f"BUILD={BUILD}", f"REPORTS={reports}", "BENCH_QUICK=1", "bench"],
        cwd=REPO, capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, p.stdout[-3000:] + p.stderr[-3000:]
    return reports, p


def test_quick_bench_writes_every_section(quick_bench):
    reports, _ = quick_bench
    rep = json.loads((reports / "latest.json").read_text())
    assert rep["schema_version"] == 1
    ctx = rep["context"]
    for key in ("host", "kernel", "cpus", "cgroup_layout", "commit", "build_flags", "date"):
        assert ctx.get(key) not in (None, ""), key
    assert ctx["cgroup_layout"] in ("v2", "hybrid", "v1", "none")

    names = {r["name"]: r for r in rep["runtimes"]}
    for must in ("bare", "floor", "hull", "hull-fork", "hull-chroot", "seed"):
        assert must in names, f"{must} missing from {sorted(names)}"
    for r in rep["runtimes"]:
        if r["starts"] == 0:
            continue
        e = r["entry"]
        assert len(e["samples_ns"]) == e["n"] == r["starts"]
        assert e["min_ns"] <= e["ci95_median_ns"][0] <= e["median_ns"] <= e["ci95_median_ns"][1]
        assert e["median_ns"] <= e["p90_ns"] <= e["p99_ns"] <= e["max_ns"]
        # The round trip contains the start.
        assert r["round_trip"]["median_ns"] >= e["median_ns"]
        assert r["ratios"]["entry"]["floor"] is not None
    # Ratios are medians of this same run.
    hull, floor = names["hull"], names["floor"]
    assert hull["ratios"]["entry"]["floor"] == pytest.approx(
        hull["entry"]["median_ns"] / floor["entry"]["median_ns"], rel=1e-3)
    assert floor["ratios"]["entry"]["floor"] == pytest.approx(1.0)
    assert names["bare"]["namespaces"] == "none"

    assert rep["phases"] and rep["phases"][0]["name"] == "hull"
    ns_sets = [row["namespaces"] for row in rep["namespaces"]]
    assert ns_sets[0] == "none" and "mnt,uts,pid,ipc,net" in ns_sets
    for single in ("mnt", "uts", "pid", "ipc", "net", "user", "cgroup", "time"):
        assert single in ns_sets
    assert [lv["level"] for lv in rep["concurrency"]] == [1, 2, 4]
    # Pool mode: the burst rows and the sustained levels of run.sh's quick set.
    assert [r["name"] for r in rep["pool"]["burst"]["rows"]] == ["hull", "hull-pool"]
    assert [lv["level"] for lv in rep["pool"]["sustained"]["levels"]] == [1, 4]
    # The engine path: hull's create + start + delete every round.
    lc = {r["name"]: r for r in rep["lifecycle"]["runtimes"]}
    assert lc["hull"]["lifecycles"] == rep["lifecycle"]["rounds"] > 0
    for lv in rep["concurrency"]:
        assert lv["containers"] + lv["failures"] >= lv["level"]
        assert lv["containers_per_s"] > 0
    assert any(b["name"].startswith("unshare/net") for b in rep["micro"]["benchmarks"])
    # What the machine charges per page fault, system call and fork: a
    # positive time each, so two reports' machines can be told apart.
    machine = {b["name"].split("/iterations")[0]: b["real_time"]
               for b in rep["micro"]["benchmarks"] if b["name"].startswith("machine/")}
    assert set(machine) == {"machine/page_fault (per page)", "machine/syscall (getppid)",
                            "machine/fork+exit+wait", "machine/vfork+exit+wait"}
    assert all(t > 0 for t in machine.values())
    assert {r["command"] for r in rep["hyperfine"]["results"]} >= {"hull", "floor", "bare"}
    targets = {(t["name"], t["metric"]) for t in rep["targets"]}
    assert ("hull / floor", "entry") in targets and ("hull peak RSS (MiB)", "rss") in targets
    rss = names["hull"]["rss"]
    assert 0 < rss["peak_kib"] < 64 * 1024


def test_quick_bench_markdown_and_plots(quick_bench):
    reports, p = quick_bench
    md = (reports / "latest.md").read_text()
    for heading in ("## Runtimes, ranked", "## Targets", "## Where hull's time goes",
                    "## Cost of each namespace", "## Concurrency",
                    "## Pool mode (hull run --pool against hull run)",
                    "## Engine path: create + start + delete", "## Microbenchmarks",
                    "## Whole-command timings", "## Plots"):
        assert heading in md, heading
    assert "| hull |" in md and "| floor |" in md
    for plot in ("latency.svg", "phases.svg", "namespaces.svg", "concurrency.svg"):
        path = reports / plot
        assert path.stat().st_size > 1000, plot
        root = ET.parse(path).getroot()
        assert root.tag.endswith("svg"), plot
        assert f"({plot})" in md
    # The progress and the figures reach the terminal.
    assert "bench: [1/8]" in p.stderr and "bench: [8/8]" in p.stderr
    # The engine path phase by phase, and the containerd row or its reason.
    assert "## hull's engine path, phase by phase" in md and "| cgroup_joined |" in md
    assert "## containerd: `ctr run --rm`" in md
    if os.geteuid() == 0 and shutil.which("containerd"):
        assert "hull/runc: " in md
    assert "hull / floor" in p.stdout
    # The network step: its own namespace, every mode, the CNI comparison.
    net = json.loads((reports / "network.json").read_text())
    names = {r["command"] for r in net["results"]}
    assert {"hull-none", "hull-veth", "hull-bridge", "hull-bridge-rate"} <= names, names
    assert "network: medians in ms" in p.stdout
    if "crun" in names:
        assert "start: hull-bridge / crun = " in p.stdout


def test_missing_runtime_is_skipped_not_failed(harness, rootfs, tmp_path):
    """crun, runc and bwrap made "not installed" for the harness only: in a
    private mount namespace /dev/null (not executable) is bound over each
    program; the namespace and its mounts end with the command."""
    progs = [shutil.which(p) for p in ("crun", "runc", "bwrap")]
    if not all(progs):
        pytest.skip("crun, runc and bwrap are not all installed (make deps)")
    out = tmp_path / "r.json"
    hide = "; ".join(f"mount --bind /dev/null {p}" for p in progs)
    cmd = (f"{hide}; exec {harness} latency -n 3 -w 0 --suites runtimes "
           f"--runtimes floor,hull,crun,runc,bwrap --rootfs {rootfs} --json {out} -q")
    p = subprocess.run(["unshare", "--mount", "--propagation", "private", "sh", "-c", cmd],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    rep = json.loads(out.read_text())
    skipped = {s["name"]: s["reason"] for s in rep["skipped"]}
    assert set(skipped) == {"crun", "runc", "bwrap"}
    assert all(reason for reason in skipped.values())
    assert [r["name"] for r in rep["runtimes"]] == ["floor", "hull"]
    # The targets against them say why they have no value.
    crun_t = [t for t in rep["targets"] if t["name"] == "hull / crun"]
    assert crun_t and all(t["value"] is None and t["note"] for t in crun_t)


def test_unknown_runtime_is_a_usage_error(harness):
    p = latency(harness, "--runtimes", "hull,nosuch")
    assert p.returncode == 2
    assert "unknown runtime 'nosuch'" in p.stderr


def test_phases_are_monotonic_and_add_up(harness, rootfs, tmp_path):
    out = tmp_path / "r.json"
    p = latency(harness, "-n", "12", "-w", "1", "--suites", "runtimes",
                "--runtimes", "hull,hull-chroot", "--rootfs", rootfs, "--json", str(out), "-q")
    assert p.returncode == 0, p.stderr
    rep = json.loads(out.read_text())
    for variant in rep["phases"]:
        run = next(r for r in rep["runtimes"] if r["name"] == variant["name"])
        chain = variant["chain"]
        untils = [c["until"] for c in chain]
        # Every mark of a pivot_root start, in the start's order.
        expected = CHAIN + ["probe_entry", "exited", "return"]
        assert untils == expected, untils
        n = run["starts"]
        assert n == 12 and run["failures"] == 0
        for i in range(n):
            durations = [c["samples_ns"][i] for c in chain]
            assert all(d >= 0 for d in durations)
            # Phases telescope: they add up to the end-to-end times exactly.
            to_entry = sum(c["samples_ns"][i] for c in chain if c["in_start"])
            assert to_entry == run["entry"]["samples_ns"][i]
            assert sum(durations) == run["round_trip"]["samples_ns"][i]
        # Medians do not add up: on a loaded machine each start is delayed
        # in a different phase, and the sum of the phase medians fell to 0.4
        # of the entry median with four busy loops running. What the report
        # claims is that both are the medians of the samples it lists.
        in_start = [statistics.median(c["samples_ns"]) for c in chain if c["in_start"]]
        assert abs(variant["sum_of_medians_to_entry_ns"] - sum(in_start)) <= 1
        assert abs(variant["entry_median_ns"] -
                   statistics.median(run["entry"]["samples_ns"])) <= 1


def test_trace_marks_from_hull_are_monotonic(hull, rootfs):
    """The raw --trace-fd stream, read directly: every chain mark once, in
    order, on one clock."""
    r, w = os.pipe()
    try:
        p = subprocess.run([hull, "run", "--trace-fd", str(w), rootfs, "/bin/hull-probe",
                            "--stamp"], pass_fds=(w,), capture_output=True, text=True,
                           timeout=20)
        os.close(w)
        w = -1
        assert p.returncode == 0, p.stderr
        with os.fdopen(r, "r") as f:
            r = -1
            lines = [json.loads(line) for line in f.read().splitlines() if line]
    finally:
        for fd in (r, w):
            if fd >= 0:
                os.close(fd)
    t = {m["phase"]: m["t_ns"] for m in lines}
    marks = [m for m in CHAIN if m in t]
    assert marks == CHAIN
    times = [t[m] for m in marks]
    assert times == sorted(times)
    entry = json.loads(p.stdout)["t_entry_ns"]
    assert t["exec"] <= entry <= t["exited"]


def test_render_rebuilds_markdown_from_json(harness, rootfs, tmp_path):
    out = tmp_path / "r.json"
    p = latency(harness, "-n", "3", "-w", "0", "--suites", "runtimes,concurrency",
                "--runtimes", "floor,hull", "--concurrency", "1,2", "--per-level", "4",
                "--rootfs", rootfs, "--json", str(out), "-q")
    assert p.returncode == 0, p.stderr
    bad = tmp_path / "bad.json"
    bad.write_text("{}")
    md = tmp_path / "out.md"
    p = subprocess.run([harness, "latency", "render", "--micro", str(bad), "--hyperfine",
                        str(tmp_path / "missing.json"), "--markdown", str(md), str(out)],
                       capture_output=True, text=True, timeout=30)
    assert p.returncode == 0, p.stderr
    text = md.read_text()
    assert "## Runtimes, ranked" in text and "## Concurrency" in text
    assert "## Cost of each namespace" not in text  # that suite did not run
    # A broken export is reported in its section, not fatal.
    assert "Not available: cannot read micro export" in text
    assert "Not available: cannot read hyperfine export" in text
    # A file that is not a latency report is refused.
    p = subprocess.run([harness, "latency", "render", str(bad)], capture_output=True,
                       text=True, timeout=30)
    assert p.returncode == 2 and "unknown schema_version" in p.stderr


def test_floor_runs_every_namespace(build_dir, rootfs):
    floor = str(Path(build_dir) / "bin" / "hull-floor")
    for ns in ("none", "mnt", "uts", "pid", "ipc", "net", "user", "cgroup", "time", "all"):
        p = subprocess.run([floor, "--ns", ns, rootfs, "/bin/hull-probe", "--stamp"],
                           capture_output=True, text=True, timeout=20)
        assert p.returncode == 0, (ns, p.stderr)
        assert "t_entry_ns" in json.loads(p.stdout)
    p = subprocess.run([floor, "--hostname", "floorbox", rootfs, "/bin/hostname"],
                       capture_output=True, text=True, timeout=20)
    assert p.stdout.strip() == "floorbox"
    p = subprocess.run([floor, rootfs, "/nonexistent"], capture_output=True, text=True,
                       timeout=20)
    assert p.returncode == 127 and "hull-floor: cannot execute '/nonexistent'" in p.stderr
