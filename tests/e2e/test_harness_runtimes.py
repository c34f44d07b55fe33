"""How the harness starts runtimes, end to end: every runtime spawned
directly (no wrapper in a sample; the report says how each was started), any
OCI runtime by path (oci:PATH[,name=..][,args=..][,env=v1]) for latency,
isolate and matrix, and a runtime or hull row that fails never throws the
other measurements away.

Timings are never asserted: only structure and what each row says."""
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import BUILD, REPO


def fake_runtime(tmp_path, body, name="fake-runtime"):
    path = tmp_path / name
    path.write_text("#!/bin/sh\n" + body + "\n")
    path.chmod(0o755)
    return str(path)


def hybrid():
    return (os.path.ismount("/sys/fs/cgroup/unified")
            and not os.path.exists("/sys/fs/cgroup/cgroup.controllers"))


def latency(harness, rootfs, out, *args, timeout=300):
    return subprocess.run([harness, "latency", "-q", "--rootfs", rootfs, "--json", str(out),
                           *args], capture_output=True, text=True, timeout=timeout)


def test_failing_runtime_is_a_row_not_the_end(harness, rootfs, tmp_path):
    """A runtime whose every start fails: its row says so, every other row
    and section is measured, the reports are written, exit status 0."""
    broken = fake_runtime(tmp_path, "echo 'broken: always fails' >&2; exit 3")
    out, md = tmp_path / "r.json", tmp_path / "r.md"
    p = latency(harness, rootfs, out, "-n", "3", "-w", "1", "--suites",
                "runtimes,namespaces", "--ns-each", "mnt", "--markdown", str(md),
                "--runtimes", f"floor,hull,oci:{broken},name=broken")
    assert p.returncode == 0, p.stderr
    rep = json.loads(out.read_text())
    rows = {r["name"]: r for r in rep["runtimes"]}
    assert rows["broken"]["starts"] == 0 and rows["broken"]["failures"] == 3
    assert "exit status 3" in rows["broken"]["first_error"]
    assert "broken: always fails" in rows["broken"]["first_error"]
    assert rows["hull"]["starts"] == 3 and rows["floor"]["starts"] == 3
    assert [r["namespaces"] for r in rep["namespaces"]][:2] == ["none", "mnt"]
    assert "| broken | failed |" in md.read_text()


def test_hull_failing_still_writes_every_report(tmp_path, rootfs):
    """make bench's script with a hull that always fails: every section runs,
    latest.json and latest.md are written, the exit status is non-zero."""
    build = tmp_path / "build"
    (build / "bin").mkdir(parents=True)
    for prog in ("hull-floor", "hull-seed", "hull-micro"):
        (build / "bin" / prog).symlink_to(BUILD / "bin" / prog)
    # A copy, not a link: the harness finds hull next to its own program.
    shutil.copy2(BUILD / "bin" / "hull-harness", build / "bin" / "hull-harness")
    fake_runtime(build / "bin", "echo 'hull: made to fail' >&2; exit 125", name="hull")
    (build / "rootfs").symlink_to(rootfs)
    reports = tmp_path / "reports"
    env = dict(os.environ, BUILD=str(build), REPORTS=str(reports), BENCH_QUICK="1",
               BENCH_N="3", BENCH_RUNTIMES="bare,floor,hull", PYTHON="/usr/bin/python3")
    p = subprocess.run(["sh", str(REPO / "bench" / "run.sh")], cwd=REPO, env=env,
                       capture_output=True, text=True, timeout=600)
    assert p.returncode != 0, p.stderr[-2000:]
    assert re.search(r"bench: \[5/\d\] report", p.stderr), p.stderr[-2000:]
    assert "with failures: latency: exit status 1" in p.stderr
    rep = json.loads((reports / "latest.json").read_text())
    rows = {r["name"]: r for r in rep["runtimes"]}
    assert rows["hull"]["starts"] == 0 and "made to fail" in rows["hull"]["first_error"]
    assert rows["floor"]["starts"] == 3 and rows["bare"]["starts"] == 3
    assert rep["micro"].get("benchmarks"), "the microbenchmarks section is there"
    assert "## Runtimes, ranked" in (reports / "latest.md").read_text()


def test_every_runtime_says_how_it_was_started(harness, rootfs, tmp_path):
    if not shutil.which("crun"):
        pytest.skip("crun is not installed (make deps)")
    out, md = tmp_path / "r.json", tmp_path / "r.md"
    p = latency(harness, rootfs, out, "-n", "3", "-w", "1", "--suites", "runtimes",
                "--runtimes", "hull,crun,crun-cgroupfs", "--markdown", str(md))
    assert p.returncode == 0, p.stderr
    rows = {r["name"]: r for r in json.loads(out.read_text())["runtimes"]}
    crun = shutil.which("crun")
    for name in ("crun", "crun-cgroupfs"):
        assert rows[name]["starts"] == 3, rows[name].get("first_error")
        # The sample's process is crun itself, never a wrapper.
        assert rows[name]["program"] == crun
        assert "spawned directly by the harness" in rows[name]["started"]
        assert ("private mount namespace" in rows[name]["started"]) == hybrid()
    assert rows["hull"]["program"] == str(BUILD / "bin" / "hull")
    assert "host's mount namespace" in rows["hull"]["started"]
    assert "How each runtime was started" in md.read_text()


def oci_specs():
    specs = []
    if shutil.which("crun"):
        specs.append(("crun", f"oci:{shutil.which('crun')},name=crun-by-path,"
                      "args=--cgroup-manager=disabled,env=v1"))
    if shutil.which("runc"):
        # runc 1.1 has no time namespace: say which ones it can make.
        specs.append(("runc", f"oci:{shutil.which('runc')},name=runc-by-path,"
                      "ns=mnt+uts+pid+ipc+net+user+cgroup"))
    specs.append(("hull", f"oci:{BUILD / 'bin' / 'hull'},name=hull-by-path"))
    return specs


@pytest.mark.parametrize("what,spec", oci_specs(), ids=[s[0] for s in oci_specs()])
def test_oci_runtime_by_path(harness, rootfs, tmp_path, what, spec):
    """crun, runc and hull's own OCI interface, each given by path: measured
    by latency, verified by isolate and matrix like the built-in rows."""
    name = spec.split("name=")[1].split(",")[0]
    out = tmp_path / "r.json"
    p = latency(harness, rootfs, out, "-n", "3", "-w", "1", "--suites", "runtimes",
                "--runtimes", f"floor,{spec}")
    assert p.returncode == 0, p.stderr
    rows = {r["name"]: r for r in json.loads(out.read_text())["runtimes"]}
    assert rows[name]["starts"] == 3, rows[name].get("first_error")
    assert rows[name]["program"] == spec[4:].split(",")[0]

    p = subprocess.run([harness, "isolate", "--runtime", spec, "--rootfs", rootfs],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "12 of 12 properties as expected" in p.stdout

    p = subprocess.run([harness, "matrix", "-q", "-r", spec, "--rootfs", rootfs, "--json"],
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stdout[-2000:] + p.stderr[-2000:]
    cells = json.loads(p.stdout)["cells"]
    assert cells and {c["runtime"] for c in cells} == {name}


def test_lifecycle_section(harness, rootfs, tmp_path):
    """The engine path: create, start, delete for hull, crun (cgroupfs) and
    runc, each step its runtime's own process; a sum is its round's three
    steps exactly; each container had a cgroup of its own, gone afterwards."""
    out, md = tmp_path / "r.json", tmp_path / "r.md"
    p = latency(harness, rootfs, out, "-n", "3", "-w", "1", "--suites", "lifecycle",
                "--markdown", str(md))
    assert p.returncode == 0, p.stderr
    lc = json.loads(out.read_text())["lifecycle"]
    assert lc["rounds"] == 3 and lc["command"] == "/bin/true"
    rows = {r["name"]: r for r in lc["runtimes"]}
    expected = {"hull"} | {n for n, prog in (("crun-cgroupfs", "crun"), ("runc", "runc"))
                           if shutil.which(prog)}
    assert set(rows) == expected
    assert rows["hull"]["program"] == str(BUILD / "bin" / "hull")
    for name, r in rows.items():
        assert r["lifecycles"] == 3 and r["failures"] == 0, r.get("first_error")
        assert r["program"].rsplit("/", 1)[1] in ("hull", "crun", "runc")
        for i in range(3):
            steps = [r[s]["samples_ns"][i] for s in ("create", "start", "delete")]
            assert all(d > 0 for d in steps)
            assert sum(steps) == r["sum"]["samples_ns"][i]
        leftovers = [d for d in Path("/sys/fs/cgroup").glob("*" + r["cgroups_path"])]
        assert not leftovers, leftovers
    ratios = {x["name"]: x for x in lc["ratios"]}
    if "crun-cgroupfs" in rows:
        x = ratios["hull / crun-cgroupfs"]
        assert x["sum"] == pytest.approx(rows["hull"]["sum"]["median_ns"]
                                         / rows["crun-cgroupfs"]["sum"]["median_ns"], rel=1e-3)
    text = md.read_text()
    assert "## Engine path: create + start + delete" in text
    assert "| hull / runc |" in text or "runc" not in rows


def test_gate_any_runtime_by_path(harness, rootfs, tmp_path):
    """The gate for a runtime other than hull: its ratios to floor and bare
    against a baseline written for it, its smoke check and matrix."""
    if not shutil.which("crun"):
        pytest.skip("crun is not installed (make deps)")
    spec = (f"oci:{shutil.which('crun')},name=crun-by-path,"
            "args=--cgroup-manager=disabled,env=v1")
    base = tmp_path / "baseline.json"
    common = ["-r", spec, "-n", "40", "-w", "2", "--rootfs", rootfs]
    p = subprocess.run([harness, "gate", *common, "--write-baseline", str(base)],
                       capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, p.stdout + p.stderr
    names = [m["name"] for m in json.loads(base.read_text())["metrics"]]
    assert names == ["crun-by-path/floor", "crun-by-path/bare"]
    out = tmp_path / "gate.json"
    p = subprocess.run([harness, "gate", *common, "--baseline", str(base), "-t", "3",
                        "--json", str(out)], capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, p.stdout + p.stderr
    rep = json.loads(out.read_text())
    assert [m["verdict"] for m in rep["metrics"]] == ["pass", "pass"]
    assert rep["isolation"]["runtime"] == spec and rep["isolation"]["cells"] > 0
    # hull's baseline has no ratio for this runtime's metrics.
    p = subprocess.run([harness, "gate", *common, "--baseline",
                        str(REPO / "reports" / "baseline.json")],
                       capture_output=True, text=True, timeout=600)
    assert p.returncode == 2 and "no ratio for metric 'crun-by-path/floor'" in p.stderr
    p = subprocess.run([harness, "gate", "-r", "nosuch"], capture_output=True, text=True,
                       timeout=60)
    assert p.returncode == 2 and "cannot gate runtime 'nosuch'" in p.stderr
