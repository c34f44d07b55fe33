"""The isolation matrix in pool mode (issue 16): every namespace set a pool
can have (mnt and pid in it) run through `hull run --pool` gives, property
by property, the verdicts of a normal `hull run` with the same namespaces;
the sets without mnt or pid are listed as refused, not run."""
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
def matrix(harness):
    p = subprocess.Popen([harness, "matrix", "-q", "--json", "-r", "hull,hull-pool"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        out, err = p.communicate(timeout=600)
    finally:
        p.kill()
        p.wait()
    # 0: every cell, hull's and the pool's, as the rules say.
    assert p.returncode == 0, out[-3000:] + err[-3000:]
    return json.loads(out), p.pid


def test_pool_cells_are_the_sets_with_mnt_and_pid(matrix):
    out, _ = matrix
    pool = [c for c in out["cells"] if c["runtime"] == "hull-pool"]
    assert len(pool) == 256
    for c in pool:
        ns = set(c["namespaces"].split(",")) if c["namespaces"] != "none" else set()
        assert c["root_mode"] == "pivot_root"
        if {"mnt", "pid"} <= ns:
            assert c["started"] and c["expected_started"], c
        else:
            assert not c["started"] and not c["expected_started"], c
            assert c["reason"] == "a pool needs mnt and pid namespaces (hull pool start refuses)"
    assert sum(c["started"] for c in pool) == 64


def test_pool_verdicts_equal_a_normal_start(matrix):
    out, _ = matrix
    hull = {c["namespaces"]: c for c in out["cells"]
            if c["runtime"] == "hull" and c["root_mode"] == "pivot_root"}
    compared = 0
    for c in out["cells"]:
        if c["runtime"] != "hull-pool" or not c["started"]:
            continue
        h = hull[c["namespaces"]]
        assert h["started"], h
        got = {k: v["verdict"] for k, v in c["properties"].items()}
        want = {k: v["verdict"] for k, v in h["properties"].items()}
        assert got == want, c["namespaces"]
        compared += 1
    assert compared == 64


def test_matrix_stops_every_pool_it_started(matrix):
    _, pid = matrix
    assert pools_of(pid) == []


def test_isolate_expects_the_refusal(harness):
    """A pool without a pid namespace is refused by hull pool start, and
    the verifier expects exactly that (not a mismatch)."""
    r = subprocess.run([harness, "isolate", "--json", "-r", "hull-pool", "--ns", "mnt,uts"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    out = json.loads(r.stdout)
    assert not out["started"] and not out["expected_started"], out
    assert out["reason"].endswith(
        ": hull: a pool needs the mnt and pid namespaces (--ns ...,mnt,pid)"), out
