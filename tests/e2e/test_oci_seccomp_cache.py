"""The cache of compiled OCI seccomp filters (core/lib/seccomp_cache.c)
under `hull run --bundle` / `hull create`: the first start with a profile
stores one entry, the second loads it (the file is not rewritten), and the
container still gets exactly the profile's filter: an allowed call works, a
rule's errno and the default action's errno come back. A corrupt entry is
rebuilt; HULL_SECCOMP_CACHE=off stores nothing.

The profile is RuntimeDefault-sized: every x86_64 syscall this libc's
headers name (~360) allowed, except chmod (left to the default action,
EPERM) and mkdir (a rule: EACCES)."""
import json
import os
import platform
import re

import pytest

from test_oci import Oci, unique_id

UNISTD = "/usr/include/x86_64-linux-gnu/asm/unistd_64.h"
DENIED = {"chmod", "fchmodat", "fchmodat2", "mkdir", "mkdirat"}
SCRIPT = "mkdir /tmp/d; chmod 700 /tmp; echo done"
ENTRY = re.compile(r"^[0-9a-f]{64}$")


def big_profile():
    names = sorted(set(re.findall(r"#define __NR_(\w+)\s+\d+", open(UNISTD).read())) - DENIED)
    return {
        "defaultAction": "SCMP_ACT_ERRNO",
        "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
        "syscalls": [
            {"names": names, "action": "SCMP_ACT_ALLOW"},
            {"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13},
        ],
    }


@pytest.fixture
def oci(hull, rootfs, tmp_path):
    if platform.machine() != "x86_64" or not os.path.exists(UNISTD):
        pytest.skip(f"the profile is made from x86_64's {UNISTD}")
    o = Oci(hull, rootfs, tmp_path)
    yield o
    o.cleanup()


@pytest.fixture
def cache(tmp_path, monkeypatch):
    d = tmp_path / "cache"
    monkeypatch.setenv("HULL_SECCOMP_CACHE_DIR", str(d))
    monkeypatch.delenv("HULL_SECCOMP_CACHE", raising=False)
    return d


def profiled_bundle(oci):
    b = oci.bundle(["sh", "-c", SCRIPT])
    cfg_path = os.path.join(b, "config.json")
    cfg = json.load(open(cfg_path))
    cfg["linux"]["seccomp"] = big_profile()
    json.dump(cfg, open(cfg_path, "w"))
    return b


def run_filtered(oci, b, tag):
    """One container with the profile; its output shows the filter."""
    r = oci("run", "--bundle", b, unique_id(tag))
    assert r.returncode == 0, r.stderr
    assert "Permission denied" in r.stderr  # mkdir: the rule's errnoRet 13
    assert "Operation not permitted" in r.stderr  # chmod: the default action
    assert r.stdout == "done\n"  # everything else allowed


def entries(cache):
    return [p for p in cache.iterdir() if ENTRY.match(p.name)] if cache.exists() else []


def test_second_start_loads_the_stored_filter(oci, cache):
    b = profiled_bundle(oci)
    run_filtered(oci, b, "c1")
    stored = entries(cache)
    assert len(stored) == 1
    assert (cache.stat().st_mode & 0o777) == 0o700
    assert (stored[0].stat().st_mode & 0o777) == 0o600
    first = stored[0].stat()
    run_filtered(oci, b, "c2")
    again = entries(cache)
    assert [p.name for p in again] == [stored[0].name]
    # A hit reads the entry; a miss would have renamed a new file over it.
    assert again[0].stat().st_ino == first.st_ino


def test_corrupt_entry_is_rebuilt(oci, cache):
    b = profiled_bundle(oci)
    run_filtered(oci, b, "k1")
    (entry,) = entries(cache)
    data = bytearray(entry.read_bytes())
    data[-8:] = b"\x06\x00\x00\x00\x00\x00\xff\x7f"  # the last insn: RET ALLOW
    entry.write_bytes(bytes(data))
    before = entry.stat().st_ino
    run_filtered(oci, b, "k2")  # still the profile's filter
    (rebuilt,) = entries(cache)
    assert rebuilt.stat().st_ino != before
    assert rebuilt.read_bytes() != bytes(data)


def test_disabled_stores_nothing(oci, cache, monkeypatch):
    monkeypatch.setenv("HULL_SECCOMP_CACHE", "off")
    b = profiled_bundle(oci)
    run_filtered(oci, b, "d1")
    assert entries(cache) == []
