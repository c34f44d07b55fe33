"""What every exec of hull pays before main (issue 16, "exec hull"): the
musl build's startup must stay as short as the C library allows. Each check
reads the system calls of one `hull --version` with strace; a regression
here costs every `hull run` and every OCI command an engine makes."""
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
