"""What every exec of hull pays before main (issue 16, "exec hull"): the
musl build's startup must stay as short as the C library allows. Each check
reads the system calls of one `hull --version` with strace; a regression
here costs every `hull run` and every OCI command an engine makes."""
import os
import shutil
import subprocess

import pytest

from test_libc import build_choice


def startup_syscalls(hull, tmp_path):
    """The names of the system calls after execve, in order."""
    if shutil.which("strace") is None:
        pytest.skip("strace is not installed")
    libc, _, _ = build_choice()
    if libc != "musl":
        pytest.skip(f"hull is linked with {libc}: these checks are of musl's startup")
    out = tmp_path / "strace.out"
    r = subprocess.run(["strace", "-o", str(out), hull, "--version"], capture_output=True,
                       text=True, timeout=30)
    assert r.returncode == 0, r.stderr
    names = [line.split("(", 1)[0].strip() for line in out.read_text().splitlines()
             if "(" in line]
    assert names and names[0] == "execve", names[:3]
    return names[1:]


def test_thread_local_storage_fits_musls_static_block(hull, tmp_path):
    # musl maps a block for a program's thread-local storage before main
    # only when it is larger than its static one (a few hundred bytes): an
    # mmap and two page faults at every exec, and one more mapping for
    # every clone to copy. A PATH_MAX buffer in __thread once did that.
    names = startup_syscalls(hull, tmp_path)
    assert names[0] == "arch_prctl", \
        f"hull's startup begins with {names[:2]}: is a __thread variable too large?"


def test_libnl_constructors_wait_for_its_first_socket(hull, tmp_path):
    # libnl's 13 constructors (link and qdisc types, /etc/libnl/classid)
    # run before its first socket (core/musl/nl_deferred.c), not at every
    # exec: a command that never uses the network never reads classid and
    # never sets up the allocator for them (brk) before its output.
    names = startup_syscalls(hull, tmp_path)
    first_write = min(i for i, n in enumerate(names) if n in ("write", "writev"))
    assert "stat" not in names[:first_write] and "open" not in names[:first_write], \
        f"hull --version before its output: {names[:first_write]}"
    assert "brk" not in names[:first_write], names[:first_write]


def test_run_allocates_nothing_from_musls_allocator_before_its_clone(hull, rootfs, tmp_path):
    # A default `hull run` takes its few allocations before the clone (the
    # rootfs's real path, the environment) from a static arena
    # (core/lib/arena.c): musl's allocator would set itself up first (brk
    # twice, a guard and a group mapping, three pages touched nowhere
    # else), ~50-90 us of the parse phase on a VM. The vfork-style spawn's
    # stack is static too (core/lib/sys.c): no mapping at all before the
    # clone, only the guard page's mprotect.
    if os.geteuid() != 0:
        pytest.skip("hull run needs root here")
    startup_syscalls(hull, tmp_path)  # skips without strace or musl
    out = tmp_path / "run.strace"
    r = subprocess.run(["strace", "-f", "-o", str(out), hull, "run", "--ns",
                        "mnt,uts,pid,ipc,net", "--hostname", "hull", rootfs, "--", "/bin/true"],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stderr
    calls = [line.split(None, 1)[1] for line in out.read_text().splitlines()
             if len(line.split(None, 1)) == 2]
    first_clone = next(i for i, c in enumerate(calls) if c.startswith(("clone(", "clone3(")))
    before = calls[:first_clone]
    assert not [c for c in before if c.startswith("brk(")], before
    maps = [c for c in before if c.startswith(("mmap(", "munmap("))]
    assert not maps, maps
    guards = [c for c in before if c.startswith("mprotect(") and "PROT_NONE" in c]
    assert len(guards) == 1, before
    # The child's stack is that guarded range: it starts one guard page
    # above the mprotect's address; clone's child_stack is its top, less
    # what the C library's clone pushes there.
    guard = int(guards[0].split("(", 1)[1].split(",", 1)[0], 16)
    top = int(calls[first_clone].split("child_stack=", 1)[1].split(",", 1)[0], 16)
    assert 0 <= guard + 4096 + 256 * 1024 - top < 64, (hex(guard), hex(top))


def test_nothing_in_hull_asks_musl_for_aligned_memory(hull):
    # The arena's wrappers (core/lib/arena.c) cover malloc, calloc,
    # realloc and free. musl's aligned_alloc, posix_memalign and memalign
    # call malloc inside and then read the allocator's metadata around the
    # block: handed an arena block, they would corrupt memory. None may be
    # linked into the musl hull until the arena covers them too.
    if shutil.which("nm") is None:
        pytest.skip("nm is not installed")
    libc, _, _ = build_choice()
    if libc != "musl":
        pytest.skip(f"hull is linked with {libc}: the arena is the musl hull's")
    r = subprocess.run(["nm", hull], capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stderr
    defined = {line.split()[-1] for line in r.stdout.splitlines() if len(line.split()) == 3}
    assert "__wrap_malloc" in defined, "the arena is not linked: this check means nothing"
    assert not defined & {"aligned_alloc", "posix_memalign", "memalign", "valloc", "pvalloc"}
