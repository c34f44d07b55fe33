"""make bench's engine-path steps run alone: bench/lifecycle_phases.py splits
hull's create/start/delete at the trace marks, bench/containerd.py times
`ctr run --rm` per runtime through a private containerd and leaves nothing
behind. Structure and identities only, never absolute timings."""
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import BUILD, REPO

BENCH = REPO / "bench"


def test_lifecycle_phases_name_every_step(tmp_path):
    if os.geteuid() != 0:
        pytest.skip("needs root (a cgroup per container)")
    out = tmp_path / "phases.json"
    md = tmp_path / "phases.md"
    p = subprocess.run([sys.executable, str(BENCH / "lifecycle_phases.py"),
                        str(BUILD / "bin" / "hull"), str(BUILD / "rootfs"), "--rounds", "3",
                        "--json", str(out), "--markdown", str(md)],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    steps = json.loads(out.read_text())["steps"]
    assert set(steps) == {"create", "start", "delete"}
    until = {s: [ph["until"] for ph in steps[s]["phases"]] for s in steps}
    # Each step runs from hull's main to its reaped exit through its marks.
    for s in steps:
        assert steps[s]["rounds"] == 3
        assert until[s][0] == "start" and until[s][-2:] == ["done", "reaped"]
        assert all(ph["median_ns"] >= 0 and ph["seen"] == 3 for ph in steps[s]["phases"])
    for mark in ("cgroup_created", "cloned", "cgroup_joined", "child_ready", "state_written"):
        assert mark in until["create"], mark
    assert until["start"] == ["start", "parsed", "state_opened", "released", "done", "reaped"]
    assert "cgroup_removed" in until["delete"] and "killed" in until["delete"]
    assert "| cgroup_joined |" in md.read_text()
    # Nothing of the script's containers is left in any hierarchy.
    assert not list(Path("/sys/fs/cgroup").glob("*/hh-lcphases-*"))


def test_containerd_row_or_its_reason(tmp_path):
    out = tmp_path / "ctr.json"
    md = tmp_path / "ctr.md"
    p = subprocess.run([sys.executable, str(BENCH / "containerd.py"),
                        str(BUILD / "bin" / "hull"), str(BUILD / "rootfs"), "--rounds", "1",
                        "--json", str(out), "--markdown", str(md)],
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    if os.geteuid() != 0 or not shutil.which("containerd"):
        assert "containerd row skipped:" in p.stderr and "skipped:" in md.read_text()
        assert not out.exists()
        return
    rep = json.loads(out.read_text())
    rows = {r["name"]: r for r in rep["runtimes"]}
    assert "hull" in rows and rows["hull"]["runs"] == 1
    for name, r in rows.items():
        assert r["min_ns"] == r["median_ns"] == r["max_ns"] == r["samples_ns"][0] > 0
    for other in ("runc", "crun"):
        if other in rows:
            assert rep["ratios"][f"hull/{other}"] == pytest.approx(
                rows["hull"]["median_ns"] / rows[other]["median_ns"])
    # The private containerd and its shims took their cgroups and mounts along.
    # (the parent itself may stay: one that existed before is not removed)
    assert not [d for d in Path("/sys/fs/cgroup").glob("*/hull-bench-ctr/*") if d.is_dir()]
    with open("/proc/self/mounts") as f:
        assert "hull-bench-ctr-" not in f.read()
