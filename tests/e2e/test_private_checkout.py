"""A rootfs below a directory only root may search (a checkout under
/root, mode 0700) works with a user namespace (issue 12): hull, still real
root, starts the child in the rootfs, so the namespace's mapped root never
walks the path it could not. The mounts a user namespace is given stay
locked as before, and where it still cannot work the error says so."""
import json
import os
import shutil
import subprocess

import pytest

T = 20  # seconds: every subprocess call's timeout
USER_NS = "user,mnt,uts,pid,ipc"


@pytest.fixture
def private_rootfs(rootfs, tmp_path):
    """A copy of the rootfs at <tmp>/private/rootfs, private mode 0700."""
    private = tmp_path / "private"
    private.mkdir(mode=0o700)
    os.chmod(private, 0o700)
    shutil.copytree(rootfs, private / "rootfs", symlinks=True)
    return private / "rootfs"


@pytest.mark.parametrize("opts", [[], ["--spawn", "fork"], ["--read-only"], ["--chroot"],
                                  ["--init"], ["--ephemeral"]],
                         ids=["clone3", "fork", "read-only", "chroot", "init", "ephemeral"])
def test_user_namespace_with_a_rootfs_below_a_0700_directory(hull, private_rootfs, opts):
    r = subprocess.run([hull, "run", *opts, "--ns", USER_NS, str(private_rootfs), "sh", "-c",
                        "id -u; echo $$"], capture_output=True, text=True, timeout=T)
    assert r.returncode == 0, r.stderr
    want_pid = "2" if "--init" in opts else "1"  # --init is PID 1 itself
    assert r.stdout == f"0\n{want_pid}\n"


def test_bundle_with_a_user_namespace_below_a_0700_directory(hull, private_rootfs, tmp_path):
    bundle = private_rootfs.parent / "bundle"
    bundle.mkdir()
    r = subprocess.run([hull, "spec", "--bundle", str(bundle), "--rootfs", str(private_rootfs)],
                       capture_output=True, text=True, timeout=T)
    assert r.returncode == 0, r.stderr
    cfg = json.loads((bundle / "config.json").read_text())
    cfg["process"]["args"] = ["sh", "-c", "id -u; echo $$"]
    cfg["process"]["terminal"] = False
    cfg["linux"]["namespaces"].append({"type": "user"})
    cfg["linux"]["uidMappings"] = [{"containerID": 0, "hostID": 100000, "size": 65536}]
    cfg["linux"]["gidMappings"] = [{"containerID": 0, "hostID": 100000, "size": 65536}]
    (bundle / "config.json").write_text(json.dumps(cfg))
    root = str(tmp_path / "state")
    r = subprocess.run([hull, "--root", root, "run", "--bundle", str(bundle), "private-1"],
                       stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=T)
    assert r.returncode == 0, r.stderr
    assert r.stdout == "0\n1\n"


def test_the_mounts_a_user_namespace_is_given_stay_locked(hull, private_rootfs):
    """A read-only, nosuid mount inside the rootfs (made in a private mount
    namespace of this test) can be neither remounted nor unmounted by the
    namespace's root: the rootfs reached the child by a namespace copy,
    which locks it, not as a tree hull handed over unlocked."""
    if not shutil.which("unshare"):
        pytest.skip("needs unshare(1)")
    tmp = private_rootfs / "tmp"
    script = (f"mount -t tmpfs -o ro,nosuid,nodev tmpfs {tmp} && exec {hull} run --ns user,mnt,pid "
              f"{private_rootfs} sh -c 'mount -o remount,bind,rw /tmp && echo REMOUNTED; "
              f"mount -o remount,bind,suid /tmp && echo SUID; umount /tmp && echo UNMOUNTED; "
              f"grep \" /tmp \" /proc/self/mountinfo'")
    r = subprocess.run(["unshare", "-m", "--propagation", "private", "sh", "-c", script],
                       capture_output=True, text=True, timeout=T)
    assert "REMOUNTED" not in r.stdout and "SUID" not in r.stdout
    assert "UNMOUNTED" not in r.stdout
    lines = [line.split() for line in r.stdout.splitlines() if " /tmp " in line]
    assert len(lines) == 1, r.stdout + r.stderr
    assert lines[0][5].startswith("ro,nosuid,nodev"), lines[0]


def test_a_rootfs_the_mapped_root_cannot_search_is_a_clear_error(hull, private_rootfs):
    os.chmod(private_rootfs, 0o700)
    r = subprocess.run([hull, "run", "--ns", USER_NS, str(private_rootfs), "true"],
                       capture_output=True, text=True, timeout=T)
    assert r.returncode == 125
    assert r.stderr == f"hull: cannot enter rootfs '{private_rootfs}': Permission denied\n"


def test_a_rootless_caller_that_cannot_reach_the_rootfs_is_a_clear_error(hull, private_rootfs):
    nobody = 65534
    if not os.access(hull, os.X_OK):
        pytest.skip("hull not executable")
    try:
        r = subprocess.run([hull, "run", "--ns", USER_NS, str(private_rootfs), "true"],
                           capture_output=True, text=True, timeout=T,
                           preexec_fn=lambda: (os.setgroups([]), os.setgid(nobody),
                                               os.setuid(nobody)))
    except PermissionError:
        pytest.skip("cannot run hull as nobody from here")
    assert r.returncode == 125
    assert r.stderr == f"hull: cannot use rootfs '{private_rootfs}': Permission denied\n"
