"""ci/run-bases.sh: make gate, baseline and bench remove the state
directories hull made on demand during them, and only those, and only when
empty (so a real leak stays visible)."""
import subprocess
from pathlib import Path

import conftest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "ci" / "run-bases.sh"


def run(bases, command, tmp):
    env = {"PATH": "/usr/bin:/bin", "HULL_RUN_BASES": " ".join(str(b) for b in bases)}
    return subprocess.run([str(SCRIPT), "sh", "-c", command], env=env, cwd=tmp,
                          capture_output=True, text=True, timeout=30)


def test_removes_only_what_the_command_made(tmp_path):
    outer, inner, before = tmp_path / "hull", tmp_path / "hull" / "pool", tmp_path / "kept"
    before.mkdir()
    r = run([inner, outer, before], f"mkdir -p {inner} && exit 3", tmp_path)
    assert r.returncode == 3, r.stderr  # the command's own status
    assert not inner.exists() and not outer.exists()
    assert before.is_dir(), "a directory that existed before the command must stay"


def test_a_directory_with_something_inside_stays(tmp_path):
    outer, inner = tmp_path / "hull", tmp_path / "hull" / "cgroups"
    r = run([inner, outer], f"mkdir -p {inner} && touch {inner}/leftover", tmp_path)
    assert r.returncode == 0, r.stderr
    assert (inner / "leftover").exists(), "a leftover must stay visible"


def test_the_list_is_the_e2e_sessions_list():
    text = SCRIPT.read_text()
    for base in conftest.RUN_BASES:
        assert str(base) in text, f"{base} is cleaned after the e2e session, not after gate/bench"


def test_gate_baseline_and_bench_run_through_it():
    makefiles = (ROOT / "ci" / "ci.mk").read_text() + (ROOT / "bench" / "bench.mk").read_text()
    assert makefiles.count("ci/run-bases.sh") >= 3
