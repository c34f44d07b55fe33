"""The pool suite of hull-harness latency (make bench's pool rows, issue 16):
a burst from a warm pool, the sustained rate with refill, memory per idle
slot, hull run --pool against hull run. Only structure and identities
between numbers of the same run are asserted, never a timing."""
import json
import subprocess
from pathlib import Path

import pytest

POOL_ROOT = Path("/run/hull/pool")


def pools_of(pid):
    """The pools a harness process named (hh-<its pid>-N), left behind."""
    return sorted(p.name for p in POOL_ROOT.iterdir() if p.name.startswith(f"hh-{pid}-")) \
        if POOL_ROOT.exists() else []


@pytest.fixture(scope="module")
def pool_report(harness, rootfs, tmp_path_factory):
    out = tmp_path_factory.mktemp("poolbench")
    p = subprocess.Popen([harness, "latency", "--suites", "pool", "-w", "1", "-q",
                          "--pool-burst", "8", "--pool-bursts", "2", "--pool-levels", "1,2",
                          "--pool-per-level", "6", "--rootfs", rootfs,
                          "--json", str(out / "l.json"), "--markdown", str(out / "l.md")],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        stdout, stderr = p.communicate(timeout=300)
    finally:
        p.kill()
        p.wait()
    assert p.returncode == 0, stdout + stderr
    return (json.loads((out / "l.json").read_text()), (out / "l.md").read_text(), None,
            p.pid)


def test_burst_rows_are_counted_and_consistent(pool_report):
    rep, _, _, _ = pool_report
    burst = rep["pool"]["burst"]
    assert (burst["size"], burst["bursts"], burst["pool_size"]) == (8, 2, 8)
    assert [r["name"] for r in burst["rows"]] == ["hull", "hull-pool"]
    for row in burst["rows"]:
        assert row["containers"] + row["failures"] == 16, row.get("first_error")
        assert row["failures"] == 0, row.get("first_error")
        e, rt = row["entry"], row["round_trip"]
        assert e["n"] == rt["n"] == row["containers"] == len(e["samples_ns"])
        assert e["min_ns"] <= e["median_ns"] <= e["p90_ns"] <= e["max_ns"]
        assert rt["median_ns"] >= e["median_ns"]
        # The rate is the containers over the bursts' wall time, which
        # holds every round trip.
        assert row["containers_per_s"] == pytest.approx(
            row["containers"] * 1e9 / row["wall_ns"], rel=1e-2)
        assert row["wall_ns"] >= sum(rt["samples_ns"])


def test_sustained_levels_compare_pool_and_hull(pool_report):
    rep, _, _, _ = pool_report
    sus = rep["pool"]["sustained"]
    assert sus["pool_size"] == 4
    assert [lv["level"] for lv in sus["levels"]] == [1, 2]
    for lv in sus["levels"]:
        for name in ("hull", "hull-pool"):
            x = lv[name]
            assert (x["containers"], x["failures"]) == (6, 0), x.get("first_error")
            assert x["containers_per_s"] == pytest.approx(
                x["containers"] * 1e9 / x["wall_ns"], rel=1e-2)
        # Every pool request was served by a slot: a ready one or one
        # prepared for it while it was queued (the harness passes --wait).
        q = lv["hull-pool"]
        assert q["served_ready"] + q["served_queued"] == q["containers"], q
        assert q["sent_back"] == 0, q
        assert lv["pool_over_hull"] == pytest.approx(
            lv["hull-pool"]["containers_per_s"] / lv["hull"]["containers_per_s"], rel=2e-2)
    targets = {t["name"]: t for t in rep["targets"]}
    for k in (1, 2):
        t = targets[f"hull / hull-pool rate, {k} at once"]
        assert t["met"] == (t["value"] <= 1.0)


def test_memory_per_idle_slot_of_the_full_pool(pool_report):
    rep, _, _, _ = pool_report
    mem = rep["pool"]["memory"]
    assert mem["idle_slots"] == 8
    assert 0 < mem["idle_slot_pss_kib"] < 64 * 1024


def test_markdown_section_and_no_pool_left(pool_report):
    _, md, _, pid = pool_report
    section = md.split("## Pool mode (hull run --pool against hull run)", 1)[1]
    assert "| hull-pool |" in section and "| hull |" in section
    assert "Memory per idle slot: " in section and " KiB (" in section
    # Both pools the suite started were stopped again.
    assert pools_of(pid) == []


def test_pool_phases_script_splits_the_request_path(hull, rootfs):
    """bench/pool_phases.py: every phase of the chain in its table, and its
    pool stopped again."""
    def mine():  # the script's own pools: phases-<hex>
        return {p.name for p in POOL_ROOT.iterdir() if p.name.startswith("phases-")} \
            if POOL_ROOT.exists() else set()

    before = mine()
    script = Path(__file__).resolve().parents[2] / "bench" / "pool_phases.py"
    r = subprocess.run(["/usr/bin/python3", str(script), hull, rootfs, "--runs", "3",
                        "--warmup", "1"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    rows = [line.split(" | ")[1] for line in r.stdout.splitlines()
            if line.startswith("| ") and not line.startswith("| phase")]
    assert rows == ["start", "parsed", "connected", "request_sent", "slot_woken",
                    "request_read", "exec", "entry"], r.stdout
    assert "x bare)" in r.stdout
    assert mine() <= before


def test_pool_suite_follows_the_runtimes_list(harness, rootfs, tmp_path):
    """--runtimes without hull-pool (make bench BENCH_RUNTIMES=...): the
    pool row is skipped with the reason, hull's rows still run."""
    out = tmp_path / "l.json"
    r = subprocess.run([harness, "latency", "--suites", "pool", "--runtimes", "floor,hull",
                        "-w", "0", "-q", "--pool-burst", "3", "--pool-bursts", "1",
                        "--pool-levels", "1", "--pool-per-level", "3", "--rootfs", rootfs,
                        "--json", str(out)], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    pool = json.loads(out.read_text())["pool"]
    assert [row["name"] for row in pool["burst"]["rows"]] == ["hull"]
    assert pool["skipped"] == [{"name": "hull-pool", "reason": "not in --runtimes"}]
    (level,) = pool["sustained"]["levels"]
    assert "hull-pool" not in level and level["hull"]["containers"] == 3
    assert pool["memory"]["idle_slot_pss_kib"] is None


def test_phase_table_shows_the_pool_request_path(harness, rootfs, tmp_path):
    """make bench's per-phase table: hull-pool's chain is the client's and
    the slot's marks, they telescope to its start exactly, and its rows
    sit in chain order next to hull's."""
    out, md = tmp_path / "l.json", tmp_path / "l.md"
    r = subprocess.run([harness, "latency", "--suites", "runtimes", "--runtimes",
                        "hull,hull-pool", "-n", "6", "-w", "1", "-q", "--rootfs", rootfs,
                        "--json", str(out), "--markdown", str(md)],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    rep = json.loads(out.read_text())
    pool = next(v for v in rep["phases"] if v["name"] == "hull-pool")
    assert [c["until"] for c in pool["chain"]] == [
        "start", "parsed", "connected", "request_sent", "slot_woken", "request_read", "exec",
        "probe_entry", "exited", "return"]
    run = next(x for x in rep["runtimes"] if x["name"] == "hull-pool")
    assert run["starts"] == 6, run.get("first_error")
    for i in range(6):
        to_entry = sum(c["samples_ns"][i] for c in pool["chain"] if c["in_start"])
        assert to_entry == run["entry"]["samples_ns"][i]
    untils = [line.split(" | ")[1] for line in md.read_text().splitlines()
              if line.startswith("| ") and " | " in line]
    assert untils.index("parsed") < untils.index("connected") < untils.index("slot_woken") \
        < untils.index("child_entered") < untils.index("exec")
