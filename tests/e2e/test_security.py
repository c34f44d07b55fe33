"""The default security profile, proven from inside with hull-attempt (a
static tool in the rootfs that tries one thing per argument). Every denial
is also run under --privileged, where the same attempt is not stopped by
the profile: the test would fail on a build without the protection."""
import json
import os
import shutil
import subprocess

import pytest

from hostutil import read_line, traced_env

DOCKER_DEFAULT_CAPS = "00000000a80425fb"

# attempt -> what the default profile answers
DENIED = {
    "mount": "EPERM", "umount": "EPERM", "pivot_root": "EPERM",
    "init_module": "EPERM", "finit_module": "EPERM", "delete_module": "EPERM",
    "reboot": "EPERM", "bpf": "EPERM", "keyctl": "EPERM", "perf_event_open": "EPERM",
    "userfaultfd": "EPERM", "io_uring": "EPERM", "swapon": "EPERM",
    "unshare_user": "EPERM", "setns": "EPERM", "tiocsti": "EPERM",
    "mknod_blk": "EPERM", "mknod_chr": "EPERM", "sethostname": "EPERM",
}
# Checked under the default profile only: under --privileged they would act
# on the host itself (kexec_load with no segments unloads the host's crash
# kernel; clock_settime sets the host's clock).
DENIED_ONLY_BY_DEFAULT = {"kexec_load": "EPERM", "clock_settime": "EPERM", "clone_user": "EPERM"}


def attempt(run, *actions, opts=()):
    r = run(*opts, "ROOTFS", "hull-attempt", *actions)
    assert r.returncode == 0, r.stderr
    out = {}
    for line in r.stdout.splitlines():
        key, _, value = line.partition(" ")
        out[key] = value
    return out


@pytest.mark.parametrize("action", sorted({**DENIED, **DENIED_ONLY_BY_DEFAULT}))
def test_denied_by_default(run, action):
    expected = {**DENIED, **DENIED_ONLY_BY_DEFAULT}[action]
    assert attempt(run, action)[action] == expected


@pytest.mark.parametrize("action", sorted(DENIED))
def test_not_denied_without_the_profile(run, action):
    # One attempt per container: an earlier one (unshare_user) would change
    # what the next may do.
    got = attempt(run, action, opts=["--privileged"])[action]
    assert got != "EPERM", f"{action} is refused even without the profile"


def test_mknod_of_a_fifo_is_still_allowed(run):
    assert attempt(run, "mknod_fifo")["mknod_fifo"] == "ok"


def test_status_shows_the_profile(run):
    r = run("grep", "-E", "^(Cap|NoNewPrivs|Seccomp:)", "/proc/self/status")
    status = dict(line.split(":\t") for line in r.stdout.splitlines())
    for s in ("CapInh", "CapPrm", "CapEff", "CapBnd"):
        assert status[s] == DOCKER_DEFAULT_CAPS, (s, status[s])
    assert status["CapAmb"] == "0000000000000000"
    assert status["NoNewPrivs"] == "1"
    assert status["Seccomp"] == "2"


def test_privileged_status(run):
    r = run("--privileged", "ROOTFS", "grep", "-E", "^(CapEff|NoNewPrivs|Seccomp:)",
            "/proc/self/status")
    status = dict(line.split(":\t") for line in r.stdout.splitlines())
    assert int(status["CapEff"], 16) > int(DOCKER_DEFAULT_CAPS, 16)
    assert status["NoNewPrivs"] == "0" and status["Seccomp"] == "0"


def test_proc_paths_masked_and_read_only(run):
    got = attempt(run, "read:/proc/timer_list", "write:/proc/sys/kernel/hostname")
    assert got["read:/proc/timer_list"] == "0 bytes"
    assert got["write:/proc/sys/kernel/hostname"] == "EROFS"
    free = attempt(run, "read:/proc/timer_list", "write:/proc/sys/kernel/hostname",
                   opts=["--privileged"])
    assert free["read:/proc/timer_list"] != "0 bytes"
    assert free["write:/proc/sys/kernel/hostname"] == "ok"


def test_sys_is_read_only_and_firmware_masked(run):
    r = run("sh", "-c", "ls /sys/firmware | wc -l; touch /sys/x 2>&1; grep ' /sys ' /proc/self/mountinfo")
    lines = r.stdout.splitlines()
    assert lines[0] == "0"
    assert "Read-only file system" in r.stdout
    assert " ro," in lines[-1] or lines[-1].split()[5].startswith("ro")


MASKED_DIRS = ["/proc/acpi", "/proc/asound", "/proc/scsi", "/sys/firmware",
               "/sys/devices/virtual/powercap"]
READ_ONLY_PATHS = ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"]


def mount_options(run, *opts):
    """{mount point: (per-mount options, fs type, superblock options)} inside."""
    r = run(*opts, "ROOTFS", "cat", "/proc/self/mountinfo")
    assert r.returncode == 0, r.stderr
    mounts = {}
    for line in r.stdout.splitlines():
        left, _, right = line.partition(" - ")
        fields, sb = left.split(), right.split()
        mounts[fields[4]] = (set(fields[5].split(",")), sb[0], set(sb[2].split(",")))
    return mounts


@pytest.mark.parametrize("opts", [[], ["--ns", "all"]], ids=["default", "userns"])
def test_every_masked_directory_is_an_empty_read_only_tmpfs(run, opts):
    # One tmpfs serves them all (bound from the first): each bind must
    # still be read-only, nosuid, nodev, noexec, and empty.
    present = [d for d in MASKED_DIRS if os.path.isdir(d)]
    if not present:
        pytest.skip("none of the masked directories exists on this kernel")
    mounts = mount_options(run, *opts)
    for d in present:
        per_mount, fstype, sb = mounts[d]
        assert fstype == "tmpfs" and {"ro", "nosuid", "nodev", "noexec"} <= per_mount, d
        assert "ro" in sb, d
    script = "; ".join(f"ls -A {d} | wc -l; touch {d}/x 2>&1" for d in present)
    r = run(*opts, "ROOTFS", "sh", "-c", script)
    lines = r.stdout.splitlines()
    assert lines[0::2] == ["0"] * len(present), r.stdout
    assert all("Read-only file system" in x for x in lines[1::2]), r.stdout
    free = mount_options(run, "--privileged")
    assert all(d not in free for d in present)


@pytest.mark.parametrize("opts", [[], ["--ns", "all"]], ids=["default", "userns"])
def test_every_read_only_path_is_read_only(run, opts):
    present = [p for p in READ_ONLY_PATHS if os.path.exists(p)]
    mounts = mount_options(run, *opts)
    for p in present:
        per_mount, fstype, _ = mounts[p]
        # nosuid, nodev, noexec of the proc mount kept (locked in a user
        # namespace), ro added.
        assert fstype == "proc" and {"ro", "nosuid", "nodev", "noexec"} <= per_mount, p
    assert "/proc/sys" in present
    free = mount_options(run, "--privileged")
    assert all(p not in free for p in present)


def test_host_processes_unreachable(run):
    got = attempt(run, f"kill:{os.getpid()}", f"ptrace:{os.getpid()}")
    assert got[f"kill:{os.getpid()}"] == "ESRCH"  # not visible in the pid namespace
    assert got[f"ptrace:{os.getpid()}"] in ("ESRCH", "EPERM")


def test_hulls_binary_unreachable_even_without_a_pid_namespace(run):
    # With the host's /proc visible, every /proc/<pid>/exe (hull's among
    # them) must refuse to open for writing.
    got = attempt(run, "open_exe_w", opts=["--ns", "mnt,uts"])
    verdict, tried = got["open_exe_w"].split(" ", 1)
    assert verdict == "refused"
    assert int(tried.strip("()").split()[0]) > 10


def test_chroot_escape_contained_by_pivot_root(run, tmp_path):
    marker = tmp_path / "host-marker"
    marker.write_text("x")
    assert attempt(run, f"chroot_escape:{marker}")["chroot_escape"] == "contained"
    # The seed's chroot keeps the hole (CAP_SYS_CHROOT is in the default
    # set, as docker's): the same attempt walks out. The test can fail.
    got = attempt(run, f"chroot_escape:{marker}", opts=["--chroot"])
    assert got["chroot_escape"] == "escaped"


@pytest.fixture
def suid_rootfs(rootfs, tmp_path):
    root = tmp_path / "rootfs"
    subprocess.run(["cp", "-a", rootfs, str(root)], check=True, timeout=60)
    shutil.copy(root / "bin" / "hull-attempt", root / "bin" / "suid-attempt")
    os.chown(root / "bin" / "suid-attempt", 0, 0)
    os.chmod(root / "bin" / "suid-attempt", 0o4755)
    return str(root)


def test_setuid_binaries_gain_nothing(hull, suid_rootfs):
    def euid(*opts):
        r = subprocess.run([hull, "run", "--user", "1000:1000", *opts, suid_rootfs,
                            "suid-attempt", "euid"], capture_output=True, text=True, timeout=20)
        assert r.returncode == 0, r.stderr
        return r.stdout.strip()
    assert euid() == "euid 1000"
    assert euid("--allow-new-privs") == "euid 0"


def test_user_option(run):
    r = run("--user", "1000:2000", "ROOTFS", "sh", "-c",
            "id -u; id -g; id -G; grep CapEff /proc/self/status")
    assert r.stdout.split() == ["1000", "2000", "2000", "CapEff:", "0000000000000000"]
    r = run("--user", "1234", "ROOTFS", "sh", "-c", "id -u; id -g")
    assert r.stdout.split() == ["1234", "1234"]


@pytest.mark.parametrize("opts,groups", [
    ([], "0"), (["--privileged"], "0"), (["--user", "1000:2000"], "2000"),
    (["--ns", "user,mnt,uts,pid,ipc"], "0"), (["--spawn", "fork"], "0"),
], ids=["default", "privileged", "user", "userns", "fork"])
def test_the_callers_supplementary_groups_stay_outside(hull, rootfs, opts, groups):
    """runc and crun set the groups a config asks for (none by default); a
    hull run by a root that is in `disk` (6) and `sudo` (27) must not hand
    those groups to its container."""
    r = subprocess.run(["setpriv", "--groups=6,27", hull, "run", *opts, rootfs, "sh", "-c",
                        "id -G; grep ^Groups: /proc/self/status"],
                       capture_output=True, text=True, timeout=20)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] == groups
    assert lines[1].split()[1:] == ([] if groups == "0" else [groups])


def test_rootless_keeps_groups_it_cannot_drop(hull, reachable_rootfs, unprivileged_user):
    """setgroups is denied in a rootless user namespace: the caller's own
    groups stay (shown as the overflow gid), and the start does not fail."""
    u = unprivileged_user
    r = subprocess.run(["setpriv", f"--reuid={u.pw_uid}", f"--regid={u.pw_gid}",
                        f"--groups={u.pw_gid},6", hull, "run", "--ns", "user,mnt,uts,pid,ipc",
                        reachable_rootfs, "sh", "-c", "cat /proc/self/setgroups; id -G"],
                       capture_output=True, text=True, timeout=20)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split()[0] == "deny"


def test_cap_add_and_drop(run):
    def capeff(*opts):
        r = run(*opts, "ROOTFS", "grep", "CapEff", "/proc/self/status")
        return int(r.stdout.split()[1], 16)
    base = int(DOCKER_DEFAULT_CAPS, 16)
    assert capeff("--cap-add", "NET_ADMIN") == base | (1 << 12)
    assert capeff("--cap-add", "cap_sys_ptrace") == base | (1 << 19)
    assert capeff("--cap-drop", "CHOWN") == base & ~1
    assert capeff("--cap-drop", "ALL") == 0
    assert capeff("--cap-drop", "ALL", "--cap-add", "KILL") == 1 << 5
    r = run("--cap-drop", "CHOWN", "ROOTFS", "sh", "-c", "chown 1 /tmp && echo chowned")
    assert "chowned" not in r.stdout


def test_allow_new_privs(run):
    r = run("--allow-new-privs", "ROOTFS", "grep", "NoNewPrivs", "/proc/self/status")
    assert r.stdout.split() == ["NoNewPrivs:", "0"]
    # The filter is installed without no_new_privs too.
    assert attempt(run, "keyctl", opts=["--allow-new-privs"])["keyctl"] == "EPERM"


def test_seccomp_off_default_and_file(run, tmp_path):
    assert attempt(run, "keyctl", opts=["--seccomp", "off"])["keyctl"] != "EPERM"
    assert attempt(run, "keyctl", opts=["--seccomp", "default"])["keyctl"] == "EPERM"
    profile = tmp_path / "profile"
    profile.write_text("# deny making nodes only\nmknodat   # glibc's mknod() calls it\nmknod\n\n")
    got = attempt(run, "mknod_fifo", "keyctl", opts=["--seccomp", str(profile)])
    assert got["mknod_fifo"] == "EPERM"  # allowed by the default profile, denied here
    assert got["keyctl"] != "EPERM"      # only what the file lists


def test_read_only_rootfs(run):
    r = run("--read-only", "ROOTFS", "sh", "-c",
            "touch /etc/x 2>&1; touch /tmp/y && echo tmp-ok; "
            "awk '$5 == \"/\"' /proc/self/mountinfo")
    assert "Read-only file system" in r.stdout
    assert "tmp-ok" in r.stdout
    assert r.stdout.splitlines()[-1].split()[5].startswith("ro")
    # The host's rootfs is untouched: no /tmp/y appeared in it.
    r = run("test", "-e", "/tmp/y")
    assert r.returncode == 1


def test_uidmap_and_gidmap(run):
    r = run("--ns", "user,mnt,pid,uts", "--uidmap", "0:300000:1000", "--gidmap",
            "0:400000:2000", "ROOTFS", "cat", "/proc/self/uid_map", "/proc/self/gid_map")
    assert r.returncode == 0, r.stderr
    assert [line.split() for line in r.stdout.splitlines()] == [
        ["0", "300000", "1000"], ["0", "400000", "2000"]]


@pytest.mark.parametrize("opts,message", [
    (["--cap-add", "FROB"], "hull: unknown capability 'FROB'"),
    (["--cap-drop", ""], "hull: unknown capability ''"),
    (["--user", "alice"], "hull: invalid user 'alice' (expected UID or UID:GID)"),
    (["--user", "1:"], "hull: invalid user '1:' (expected UID or UID:GID)"),
    (["--ns", "user,mnt", "--uidmap", "1:2"],
     "hull: invalid id map '1:2' (expected INSIDE:OUTSIDE:COUNT)"),
    (["--ns", "user,mnt", "--gidmap", "0:1:0"],
     "hull: invalid id map '0:1:0' (expected INSIDE:OUTSIDE:COUNT)"),
    (["--uidmap", "0:100000:10"],
     "hull: --uidmap and --gidmap require the user namespace (--ns ...,user)"),
    (["--seccomp", "/nonexistent/profile"],
     "hull: cannot open '/nonexistent/profile': No such file or directory"),
    (["--seccomp", ""], "hull: empty seccomp profile (off, default or a file)"),
    (["--ns", "pid", "--read-only"], "hull: --read-only requires the mount namespace (--ns ...,mnt)"),
], ids=["cap-add", "cap-drop-empty", "user-name", "user-colon", "uidmap-short", "gidmap-zero",
        "uidmap-no-userns", "seccomp-missing", "seccomp-empty", "read-only-no-mnt"])
def test_bad_security_options(run, opts, message):
    r = run(*opts, "ROOTFS", "true")
    assert r.returncode == 125
    assert r.stderr == message + "\n"


def test_seccomp_file_with_unknown_syscall(run, tmp_path):
    profile = tmp_path / "bad"
    profile.write_text("getpid\nfrobnicate\n")
    r = run("--seccomp", str(profile), "ROOTFS", "true")
    assert r.returncode == 125
    assert r.stderr == f"hull: unknown system call 'frobnicate' in '{profile}' line 2\n"


@pytest.fixture(scope="module")
def unprivileged_user():
    """A throwaway host user for the rootless test, removed afterwards."""
    useradd, userdel = shutil.which("useradd"), shutil.which("userdel")
    if not useradd or not userdel or not shutil.which("setpriv"):
        pytest.skip("useradd/userdel/setpriv not installed")
    name = f"hulltest{os.getpid() % 100000}"
    subprocess.run([useradd, "-M", "-s", "/usr/sbin/nologin", name], check=True,
                   capture_output=True, timeout=30)
    try:
        import pwd
        yield pwd.getpwnam(name)
    finally:
        subprocess.run([userdel, name], capture_output=True, timeout=30)


def test_rootless_container(hull, reachable_rootfs, unprivileged_user, spawn):
    u = unprivileged_user
    p = spawn(["setpriv", f"--reuid={u.pw_uid}", f"--regid={u.pw_gid}", "--clear-groups",
               hull, "run", "--ns", "user,mnt,uts,pid,ipc", reachable_rootfs, "sh", "-c",
               "id -u; cat /proc/self/uid_map; hostname; echo ready; read x"],
              stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines = []
    while (line := read_line(p.stdout, 10)) not in (None, "", "ready\n"):
        lines.append(line.strip())
    assert line == "ready\n", p.stderr.read() if p.poll() is not None else lines
    assert lines[0] == "0"
    assert lines[1].split() == ["0", str(u.pw_uid), "1"]
    assert lines[2] == "hull"
    # From the host, container root is the unprivileged user.
    from hostutil import deepest_descendant
    with open(f"/proc/{deepest_descendant(p.pid)}/status") as f:
        uid_line = next(x for x in f if x.startswith("Uid:"))
    assert uid_line.split()[1:] == [str(u.pw_uid)] * 4
    p.stdin.write("\n")
    p.stdin.flush()
    assert p.wait(timeout=10) == 0


def test_rootless_without_user_namespace_says_what_is_missing(hull, reachable_rootfs,
                                                              unprivileged_user):
    u = unprivileged_user
    r = subprocess.run(["setpriv", f"--reuid={u.pw_uid}", f"--regid={u.pw_gid}", "--clear-groups",
                        hull, "run", "--ns", "user,mnt,pid", "--uidmap", "0:100000:65536",
                        reachable_rootfs, "true"],
                       capture_output=True, text=True, timeout=20)
    assert r.returncode == 125
    assert "an unprivileged user may map only its own id" in r.stderr


@pytest.mark.parametrize("case", ["missing", "symlink", "file"])
def test_api_mountpoints_are_made_or_refused(hull, rootfs, tmp_path, case):
    # /proc, /dev and /sys are checked with one lstat and made only when
    # missing: a missing one is created, a symlink or a file is refused
    # (a mount there would follow it, possibly out of the rootfs).
    root = tmp_path / "root"
    shutil.copytree(rootfs, root, symlinks=True)
    target = root / "dev"
    shutil.rmtree(target)
    if case == "symlink":
        os.symlink(str(tmp_path), target)
    elif case == "file":
        target.write_text("")
    r = subprocess.run([hull, "run", str(root), "ls", "/dev/null"], capture_output=True,
                       text=True, timeout=20)
    if case == "missing":
        assert r.returncode == 0, r.stderr
        assert r.stdout.strip() == "/dev/null"
        assert target.is_dir() and not target.is_symlink()
        assert list(target.iterdir()) == []  # the tmpfs was on it, not under it
    else:
        assert r.returncode == 125, r.stderr
        assert "hull: cannot use mountpoint '/dev'" in r.stderr
        assert list(tmp_path.iterdir()) == [root]  # nothing made through the link


def test_child_error_wins_over_hulls_own_beside_it(hull, rootfs, tmp_path):
    """hull brings the child's lo up while the child sets up; strace holds
    hull's setns into the child's net namespace until the child has failed
    (a file where /dev goes) and is gone: hull reports the child's error,
    not its own consequence of it (no such process)."""
    if not shutil.which("strace"):
        pytest.skip("needs strace (apt install strace)")
    root = tmp_path / "root"
    shutil.copytree(rootfs, root, symlinks=True)
    shutil.rmtree(root / "dev")
    (root / "dev").write_text("")
    r = subprocess.run(["strace", "-qq", "-o", "/dev/null", "-e", "trace=setns",
                        "-e", "inject=setns:delay_enter=500000", hull, "run", str(root), "true"],
                       capture_output=True, text=True, timeout=20, env=traced_env())
    assert r.returncode == 125, r.stderr
    assert r.stderr == "hull: cannot use mountpoint '/dev': Not a directory\n"


def test_masked_directories_under_a_masked_parent(hull, rootfs, tmp_path):
    # maskedPaths /proc/acpi, then /proc itself, then /sys/firmware: the
    # later masks must not depend on the first one's path, which the mask
    # of /proc covers.
    if not os.path.isdir("/sys/firmware"):
        pytest.skip("no /sys/firmware on this kernel")
    bundle = tmp_path / "bundle"
    bundle.mkdir()
    r = subprocess.run([hull, "spec", "--bundle", str(bundle), "--rootfs", rootfs],
                       capture_output=True, text=True, timeout=20)
    assert r.returncode == 0, r.stderr
    cfg = json.loads((bundle / "config.json").read_text())
    cfg["process"]["terminal"] = False
    cfg["process"]["args"] = ["sh", "-c", "ls -A /proc /sys/firmware | wc -l; "
                              "touch /proc/x /sys/firmware/x 2>&1; exit 0"]
    cfg["linux"]["maskedPaths"] = ["/proc/acpi", "/proc", "/sys/firmware"]
    (bundle / "config.json").write_text(json.dumps(cfg))
    r = subprocess.run([hull, "--root", str(tmp_path / "state"), "run", "--bundle", str(bundle),
                        "masks"], capture_output=True, text=True, timeout=20)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] == "3"  # two headers and the blank line between: both empty
    assert lines[1:] == ["touch: /proc/x: Read-only file system",
                         "touch: /sys/firmware/x: Read-only file system"], r.stdout
