"""bench/start_ab.py, the interleaved A/B of hull builds on the start path:
every variant and phase reported, raw samples kept, bad input refused.
Structure only, never absolute timings."""
import json
import os
import subprocess
import sys

import pytest

from conftest import BUILD, REPO

SCRIPT = REPO / "bench" / "start_ab.py"
# A default start: its child shares hull's memory, hull suspended until the
# exec (spawn_shared_vm before the clone, "cloned" after the exec).
PHASES = ["start", "parsed", "spawn_shared_vm", "cloned", "child_entered", "lo_up",
          "mounts_private", "proc_mounted", "dev_ready", "paths_masked", "root_switched",
          "hostname_set", "caps_set", "seccomp_installed", "exec", "probe entry", "exited"]


def ab(*args, timeout=120):
    return subprocess.run([sys.executable, str(SCRIPT), "--rootfs", str(BUILD / "rootfs"), *args],
                          capture_output=True, text=True, timeout=timeout)


def test_every_variant_and_phase(tmp_path):
    if os.geteuid() != 0:
        pytest.skip("needs root (namespaces, mounts)")
    hull = str(BUILD / "bin" / "hull")
    out = tmp_path / "ab.json"
    r = ab("-n", "3", "-w", "1", "--floor", str(BUILD / "bin" / "hull-floor"), "--json", str(out),
           f"a={hull}", f"b={hull}", f"priv={hull}:--privileged")
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[0].split()[-4:] == ["a", "b", "priv", "floor"]
    for ratio in ("b/a", "priv/a", "a/floor", "b/floor", "priv/floor"):
        assert any(line.startswith(ratio + ": start ") for line in r.stdout.splitlines()), ratio
    samples = json.loads(out.read_text())["samples_ns"]
    # hull's parent writes "cloned" while its child writes its own marks:
    # it may land anywhere among them; the child's keep their order.
    phases = list(samples["a"]["phases"])
    assert sorted(phases) == sorted(PHASES)
    assert [p for p in phases if p != "cloned"] == [p for p in PHASES if p != "cloned"]
    # --privileged: no masks, no filter; the floor: no trace marks at all.
    assert "paths_masked" not in samples["priv"]["phases"]
    assert "seccomp_installed" not in samples["priv"]["phases"]
    assert list(samples["floor"]["phases"]) == ["probe entry"]
    for name in ("a", "b", "priv", "floor"):
        s = samples[name]
        assert len(s["start"]) == len(s["round_trip"]) == 3
        assert all(0 < st < rt for st, rt in zip(s["start"], s["round_trip"]))
        assert all(len(v) == 3 and min(v) >= 0 for v in s["phases"].values())


def test_without_a_uts_namespace_no_hostname_is_asked():
    # --ns none measures the bare exec (issue 16): a hostname would need uts.
    if os.geteuid() != 0:
        pytest.skip("needs root (namespaces, mounts)")
    hull = str(BUILD / "bin" / "hull")
    r = ab("-n", "2", "-w", "0", "--ns", "none", "--floor", str(BUILD / "bin" / "hull-floor"),
           f"a={hull}")
    assert r.returncode == 0, r.stderr
    assert any(line.startswith("a/floor: start ") for line in r.stdout.splitlines()), r.stdout


@pytest.mark.parametrize("args, message", [
    (["hull"], "is not NAME=HULL[:OPTS]"),
    (["a=/nonexistent/hull"], "'/nonexistent/hull' is not an executable file"),
    ([f"a={BUILD / 'bin' / 'hull'}", f"a={BUILD / 'bin' / 'hull'}"], "variant names must differ"),
    (["-n", "0", f"a={BUILD / 'bin' / 'hull'}"], "-n must be at least 1"),
], ids=["no-name", "missing-binary", "same-name", "no-rounds"])
def test_bad_arguments(args, message):
    r = ab(*args)
    assert r.returncode == 2 and message in r.stderr, r.stderr


def test_a_failing_start_stops_the_run():
    if os.geteuid() != 0:
        pytest.skip("needs root (namespaces, mounts)")
    r = ab("-n", "2", "-w", "0", f"bad={BUILD / 'bin' / 'hull'}:--no-such-option")
    assert r.returncode != 0 and "start_ab:" in r.stderr and "wait status" in r.stderr, r.stderr
