"""The layering issue 13 set up, held by tests: libhull exports only hull_
names (the command line is not in it), the man pages render without a
warning, and `make install` puts binaries and man pages under DESTDIR."""
import os
import shutil
import subprocess

import pytest

from conftest import BUILD, REPO


def test_libhull_exports_only_hull_names():
    lib = BUILD / "lib" / "libhull.a"
    if not lib.exists():
        pytest.skip(f"{lib} not built")
    out = subprocess.run(["nm", "-g", "--defined-only", str(lib)], capture_output=True,
                         text=True, check=True, timeout=60).stdout
    names = [line.split()[2] for line in out.splitlines() if len(line.split()) == 3]
    # Sanitizer and coverage builds add their own names (reserved: "__").
    names = [n for n in names if not n.startswith("__")]
    assert len(names) > 100, "libhull.a has almost nothing in it"
    assert [n for n in names if not n.startswith("hull_")] == []
    assert "main" not in names
    assert not any(n.startswith("cli_") for n in names), "the CLI is linked into libhull.a"


MAN_PAGES = [REPO / "core" / "cli" / "hull.1", REPO / "harness" / "hull-harness.1"]


@pytest.mark.rootless
@pytest.mark.parametrize("page", MAN_PAGES, ids=lambda p: p.name)
def test_man_page_renders_without_warnings(page):
    if not shutil.which("man"):
        pytest.skip("man is not installed")
    r = subprocess.run(["man", "--warnings", "-l", str(page)], capture_output=True, text=True,
                       env={**os.environ, "MANWIDTH": "80", "MANPAGER": "cat", "PAGER": "cat"},
                       timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""
    assert "NAME" in r.stdout and "SYNOPSIS" in r.stdout


@pytest.mark.rootless
def test_man_page_describes_every_verb():
    """hull.1 has an entry for every command `hull --help` offers."""
    if not shutil.which("man"):
        pytest.skip("man is not installed")
    text = subprocess.run(["man", "-l", str(MAN_PAGES[0])], capture_output=True, text=True,
                          env={**os.environ, "MANWIDTH": "80", "MANPAGER": "cat"},
                          timeout=60).stdout
    entries = {line.split()[0] for line in text.splitlines()
               if line.startswith("       ") and not line.startswith("        ") and line.split()}
    for verb in ("create", "start", "exec", "state", "kill", "delete", "pause", "ps", "update",
                 "list", "spec", "features", "gc"):
        assert verb in entries, verb
    for option in ("--ns", "--network", "--memory", "--seccomp", "--privileged", "--root",
                   "--pool"):
        assert option in entries, option


def test_make_install_puts_binaries_and_man_pages_under_destdir(tmp_path):
    if not (BUILD / "bin" / "hull").exists():
        pytest.skip("hull not built")
    # -o all: install what this build has, never rebuild it here with other
    # flags (the sanitizer and coverage suites test their own builds).
    r = subprocess.run(["make", "--no-print-directory", "-C", str(REPO), f"BUILD={BUILD}",
                        f"DESTDIR={tmp_path}", "PREFIX=/usr", "-o", "all", "install"],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stdout + r.stderr
    for path, mode in (("usr/bin/hull", 0o755), ("usr/bin/hull-harness", 0o755),
                       ("usr/share/man/man1/hull.1", 0o644),
                       ("usr/share/man/man1/hull-harness.1", 0o644)):
        st = os.stat(tmp_path / path)
        assert st.st_mode & 0o777 == mode, path
    assert (tmp_path / "usr/bin/hull").read_bytes() == (BUILD / "bin" / "hull").read_bytes()
    v = subprocess.run([str(tmp_path / "usr/bin/hull"), "--version"], capture_output=True,
                       text=True, timeout=10)
    assert v.returncode == 0 and v.stdout.startswith("hull ")
    # The musl pool client goes next to hull (its fallback execs ./hull).
    client = BUILD / "bin" / "hull-pool-run"
    installed = tmp_path / "usr/bin/hull-pool-run"
    assert installed.exists() == client.exists()
    if client.exists():
        assert installed.read_bytes() == client.read_bytes()
        assert os.stat(installed).st_mode & 0o777 == 0o755
