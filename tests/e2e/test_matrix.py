"""hull-harness matrix: every namespace combination of hull, a chosen set
for the other runtimes, observed against expected."""
import json
import re
import signal
import subprocess

import pytest

from isohost import leftovers, parse_host_objects

PROPS = ["hostname", "pid", "mounts", "root", "propagation", "net", "ipc", "user", "cgroup",
         "time", "chroot_escape", "lo"]


@pytest.fixture(scope="module")
def hull_matrix(harness):
    r = subprocess.run([harness, "matrix", "--runtimes", "hull", "--json"], capture_output=True,
                       text=True, timeout=300)
    return r


def test_whole_hull_matrix_matches_the_rules(hull_matrix):
    r = hull_matrix
    doc = json.loads(r.stdout)
    cells = doc["cells"]
    assert len(cells) == 512
    assert {(c["namespaces"], c["root_mode"]) for c in cells}.__len__() == 512
    bad = [c for c in cells if c["mismatches"]]
    assert bad == [], json.dumps(bad[:3], indent=1)
    assert r.returncode == 0
    assert doc["summary"]["mismatches"] == 0
    assert doc["schema_version"] >= 1 and "kernel" in doc["context"]
    assert [x["property"] for x in doc["rules"]] == PROPS
    # lo: hull brings it up in every cell with a net namespace of its own
    for c in cells:
        if c["started"]:
            want = "isolated" if "net" in c["namespaces"].split(",") else "shared"
            assert c["properties"]["lo"]["verdict"] == want, json.dumps(c, indent=1)


def test_matrix_cells_have_the_documented_shape(hull_matrix):
    cells = json.loads(hull_matrix.stdout)["cells"]
    for c in cells:
        assert {"runtime", "namespaces", "root_mode", "started", "reason",
                "properties"} <= c.keys()
        if c["started"]:
            assert list(c["properties"]) == PROPS
            for p in c["properties"].values():
                assert p["verdict"] in ("isolated", "shared", "error")
                assert p["detail"]
        else:
            assert c["reason"], c
    # pivot_root without mnt is listed, not run
    skipped = [c for c in cells if c["root_mode"] == "pivot_root" and "mnt" not in c["namespaces"]]
    assert len(skipped) == 128
    assert all(not c["started"] and "mount namespace" in c["reason"] for c in skipped)
    full = next(c for c in cells if c["namespaces"] == "mnt,uts,pid,ipc,net,user,cgroup,time"
                and c["root_mode"] == "pivot_root")
    assert {p["verdict"] for p in full["properties"].values()} == {"isolated"}


def test_table_markdown_and_the_wall_time(harness):
    r = subprocess.run([harness, "matrix", "-r", "hull,seed,bare"], capture_output=True,
                       text=True, timeout=300)
    assert r.returncode == 0, r.stdout[-2000:]
    assert re.search(r"^runtime +namespaces +root +start +host pid", r.stdout, re.M)
    assert re.search(r"^seed +mnt,uts +chroot +yes +I +S ", r.stdout, re.M)
    m = re.search(r"(\d+) cells, \d+ containers run, \d+ started, 0 mismatches .*; "
                  r"([\d.]+) s wall on (\d+) workers", r.stdout)
    assert m and int(m.group(1)) == 514
    assert re.search(r"hull +512 cells in [\d.]+ s", r.stdout)
    assert "matrix: 514/514 cells" in r.stderr  # progress

    r = subprocess.run([harness, "matrix", "-q", "-r", "seed,bare", "--markdown"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0
    assert "| runtime | namespaces | root | started | hostname |" in r.stdout
    assert "## Rules" in r.stdout


def test_other_runtimes(harness):
    r = subprocess.run([harness, "matrix", "-q", "--json",
                        "-r", "seed,bare,unshare,bwrap,crun,crun-cgroupfs,runc"],
                       capture_output=True, text=True, timeout=300)
    if r.returncode == 2 and "not available" in r.stderr:
        pytest.skip(r.stderr.strip())
    doc = json.loads(r.stdout)
    bad = [c for c in doc["cells"] if c["mismatches"]]
    assert bad == [], json.dumps(bad[:3], indent=1)
    seed = [c for c in doc["cells"] if c["runtime"] == "seed"]
    assert len(seed) == 1 and seed[0]["properties"]["pid"]["verdict"] == "shared"
    # what each runtime does with a bare net namespace: lo up, except unshare(1)
    for c in doc["cells"]:
        if c["started"] and "net" in c["namespaces"].split(","):
            want = "error" if c["runtime"] == "unshare" else "isolated"
            assert c["properties"]["lo"]["verdict"] == want, json.dumps(c, indent=1)


def test_interrupted_matrix_leaves_nothing(harness, spawn, rootfs):
    p = spawn([harness, "matrix", "--json"], stdout=subprocess.DEVNULL,
              stderr=subprocess.PIPE, text=True)
    first = p.stderr.readline()
    obj = parse_host_objects(first)
    # wait for the first progress line: containers are running
    for line in p.stderr:
        if re.match(r"matrix: [1-9]\d*/\d+ cells", line):
            break
    p.send_signal(signal.SIGINT)
    rest = p.communicate(timeout=60)[1]
    assert p.returncode == 130, rest
    assert "interrupted" in rest
    assert leftovers(obj, rootfs) == []


def test_bad_usage(harness):
    for args in (["-r", "docker"], ["-j", "0"], ["--json", "--markdown"], ["extra"]):
        r = subprocess.run([harness, "matrix", *args], capture_output=True, text=True,
                           timeout=30)
        assert r.returncode == 2, args
