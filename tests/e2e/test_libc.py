"""Which C library hull links (core/musl/musl.mk): musl by default when its
libraries are built (ci/musl-deps.sh), glibc when chosen (make
HULL_LIBC=glibc) or instrumented (make sanitize, make coverage). `hull
--version` says which; a default build that silently fell back to glibc
fails here."""
import os
import subprocess

import pytest

from conftest import BUILD, REPO


def version_libc(binary):
    v = subprocess.run([str(binary), "--version"], capture_output=True, text=True, timeout=10)
    assert v.returncode == 0, v.stderr
    lines = v.stdout.splitlines()
    assert lines[0].startswith("hull ")
    assert lines[1].startswith("libc: "), v.stdout
    return lines[1][len("libc: "):]


def build_choice():
    """The libc, how it was chosen and the musl prefix, as make wrote them."""
    stamp = BUILD / "libc.stamp"
    if not stamp.exists():
        pytest.skip(f"{stamp} missing (a build older than the libc choice)")
    libc, how, prefix = stamp.read_text().split()
    return libc, how, prefix


def musl_prefix():
    r = subprocess.run([str(REPO / "ci" / "musl-deps.sh"), "--prefix"], capture_output=True,
                       text=True, timeout=30)
    return r.stdout.strip() if r.returncode == 0 else None


def test_version_names_the_libc_the_build_chose(hull):
    libc, _, prefix = build_choice()
    name = version_libc(hull)
    if libc == "musl":
        musl_version = open(f"{prefix}/musl-version").read().strip()
        assert name == f"musl {musl_version}"
    else:
        assert name.startswith("glibc 2."), name


def test_default_build_links_musl_when_its_libraries_exist(hull):
    prefix = musl_prefix()
    if prefix is None:
        pytest.skip("the musl libraries are not built (ci/musl-deps.sh): hull is glibc by design")
    libc, how, _ = build_choice()
    if how != "default":
        pytest.skip(f"this build chose {libc} on purpose ({how}: sanitizer, coverage or "
                    "HULL_LIBC=)")
    assert libc == "musl", "the default build fell back to glibc though the musl libraries exist"
    assert version_libc(hull).startswith("musl ")
    # hull-floor, the reference hull is reported against, pays the same
    # libc startup: the same libc (musl's start code has __libc_start_init,
    # glibc's has not).
    floor = BUILD / "bin" / "hull-floor"
    symbols = subprocess.run(["nm", str(floor)], capture_output=True, text=True, timeout=30)
    assert symbols.returncode == 0
    assert "__libc_start_main" in symbols.stdout
    assert " __libc_start_init" in symbols.stdout, "hull-floor is not linked with musl"


def make_libc(tmp_path, *args):
    """make's libc choice in a fresh build dir with no musl libraries to be
    found (HULL_MUSL_CACHE names a directory that cannot exist)."""
    env = dict(os.environ, HULL_MUSL_CACHE="/dev/null/none")
    return subprocess.run(["make", "--no-print-directory", "-C", str(REPO),
                           f"BUILD={tmp_path}/build", *args, "hull-libc-note"],
                          capture_output=True, text=True, timeout=120, env=env)


def test_without_musl_libraries_the_build_says_it_uses_glibc(tmp_path):
    r = make_libc(tmp_path)
    assert r.returncode == 0, r.stderr
    assert "note: hull linked with glibc" in r.stdout
    # Chosen on purpose: no note.
    r = make_libc(tmp_path, "HULL_LIBC=glibc")
    assert r.returncode == 0 and "note:" not in r.stdout, r.stdout + r.stderr
    # musl demanded but not there: a clear error, no silent glibc.
    r = make_libc(tmp_path, "HULL_LIBC=musl")
    assert r.returncode != 0
    assert "HULL_LIBC=musl: the musl libraries are not built" in r.stderr
