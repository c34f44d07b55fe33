"""OCI hooks: prestart and createRuntime by create (the container exists,
its process has not run), poststart by start, poststop by delete, each in
the runtime's namespaces with the container's state JSON on stdin; a
failing or hanging (timeout) create hook fails create and leaves nothing;
a failing poststart or poststop hook is a warning and the lifecycle goes
on (the spec; runc fails start and stops the container instead).
startContainer hooks run by start inside the container; createContainer
hooks by create inside its namespaces while it waits after its mounts and
before its root switch, their path resolved on the host; without them the
container never stops there (its trace marks)."""
import json
import os
import time
from pathlib import Path

import pytest

from test_oci import (LOOP, Oci, cgroup_dirs, oci, trap_installed,  # noqa: F401
                      unique_id, wait_exit)

T = 20


def hook(out, extra="", timeout=None):
    """A hook that appends its stdin (the state) as one line to out."""
    h = {"path": "/bin/sh", "args": ["sh", "-c", f"{{ cat; echo; }} >> {out}{extra}"]}
    if timeout:
        h["timeout"] = timeout
    return h


def states(out):
    """The JSON objects one after the other in out."""
    text, dec, found, i = Path(out).read_text(), json.JSONDecoder(), [], 0
    while True:
        while i < len(text) and text[i].isspace():
            i += 1
        if i == len(text):
            return found
        obj, i = dec.raw_decode(text, i)
        found.append(obj)


def bundle_with_hooks(oci, name, args, hooks):
    b = oci.bundle(args, name=name)
    cfg = json.loads((Path(b) / "config.json").read_text())
    cfg["hooks"] = hooks
    (Path(b) / "config.json").write_text(json.dumps(cfg))
    return b


def test_hooks_in_order_with_the_state_on_stdin(oci, tmp_path):
    cid = unique_id("h1")
    logs = {k: tmp_path / f"{k}.log" for k in ("prestart", "createRuntime", "poststart",
                                                "poststop")}
    order = tmp_path / "order"
    hooks = {k: [hook(v, f"; echo {k} >> {order}")] for k, v in logs.items()}
    b = bundle_with_hooks(oci, "bh", LOOP, hooks)
    r, out = oci.create(b, cid)
    assert r.returncode == 0, out.read_text()
    pid = oci.state(cid)["pid"]
    for k in ("prestart", "createRuntime"):
        (s,) = states(logs[k])
        # "created": after the lifecycle's step 2 (what `hull state` says then too)
        assert s["id"] == cid and s["status"] == "created" and s["pid"] == pid, s
    assert not logs["poststart"].exists()
    assert oci("start", cid).returncode == 0
    (s,) = states(logs["poststart"])  # before start returned
    assert s["status"] == "running" and s["pid"] == pid
    trap_installed(out)
    assert oci("kill", cid, "KILL").returncode == 0
    wait_exit(pid)
    assert not logs["poststop"].exists()
    r = oci("delete", cid)
    assert r.returncode == 0, r.stderr
    (s,) = states(logs["poststop"])
    assert s["status"] == "stopped" and s["id"] == cid
    assert order.read_text().split() == ["prestart", "createRuntime", "poststart", "poststop"]


def test_config_changed_after_create_has_no_effect(oci, tmp_path):
    cid = unique_id("h2")
    log = tmp_path / "poststart.log"
    b = bundle_with_hooks(oci, "bc", LOOP, {"poststart": [hook(log)]})
    r, out = oci.create(b, cid)
    assert r.returncode == 0, out.read_text()
    (Path(b) / "config.json").write_text("{}")
    assert oci("start", cid).returncode == 0
    assert states(log)[0]["id"] == cid


def test_failing_create_hook_leaves_nothing(oci, tmp_path):
    cid = unique_id("h3")
    b = bundle_with_hooks(oci, "bf", LOOP, {"createRuntime": [
        {"path": "/bin/sh", "args": ["sh", "-c", f"echo $$ > {tmp_path / 'ran'}; exit 3"]}]})
    r, out = oci.create(b, cid)
    assert r.returncode == 1
    assert "createRuntime hook #0 '/bin/sh' failed (exit status 3)" in out.read_text()
    assert (tmp_path / "ran").exists()
    assert oci("state", cid).returncode == 1
    assert cgroup_dirs("hull-oci", cid) == []


def test_hanging_hook_times_out_and_leaves_nothing(oci, tmp_path):
    cid = unique_id("h4")
    b = bundle_with_hooks(oci, "bt", LOOP, {"prestart": [
        {"path": "/bin/sleep", "args": ["sleep", "100"], "timeout": 1}]})
    t0 = time.monotonic()
    r, out = oci.create(b, cid)
    assert r.returncode == 1
    assert time.monotonic() - t0 < 10
    assert "prestart hook #0 '/bin/sleep' timed out after 1 s" in out.read_text()
    assert oci("state", cid).returncode == 1
    assert cgroup_dirs("hull-oci", cid) == []


def test_failing_poststart_is_a_warning(oci, tmp_path):
    cid = unique_id("h5")
    log = tmp_path / "log.json"
    b = bundle_with_hooks(oci, "bp", LOOP, {"poststart": [{"path": "/bin/false"},
                                                          hook(tmp_path / "second")]})
    r, out = oci.create(b, cid)
    assert r.returncode == 0, out.read_text()
    r = oci("--log", str(log), "--log-format", "json", "start", cid)
    assert r.returncode == 0, r.stderr
    assert "hull: warning: poststart hook #0 '/bin/false' failed" in r.stderr
    assert json.loads(log.read_text().splitlines()[-1])["level"] == "warning"
    assert states(tmp_path / "second")[0]["status"] == "running"  # the rest still ran
    assert oci.state(cid)["status"] == "running"


def test_failing_poststop_is_a_warning_and_delete_removes(oci):
    cid = unique_id("h6")
    b = bundle_with_hooks(oci, "bs", ["true"], {"poststop": [{"path": "/bin/false"}]})
    r, out = oci.create(b, cid)
    assert r.returncode == 0, out.read_text()
    pid = oci.state(cid)["pid"]
    assert oci("start", cid).returncode == 0
    wait_exit(pid)
    r = oci("delete", cid)
    assert r.returncode == 0 and "warning: poststop hook #0 '/bin/false' failed" in r.stderr
    assert oci("state", cid).returncode == 1
    assert cgroup_dirs("hull-oci", cid) == []


def test_run_bundle_runs_the_hooks_around_the_process(oci, tmp_path):
    cid = unique_id("h7")
    order = tmp_path / "order"
    hooks = {k: [{"path": "/bin/sh", "args": ["sh", "-c", f"echo {k} >> {order}"]}]
             for k in ("prestart", "createRuntime", "poststart", "poststop")}
    b = bundle_with_hooks(oci, "br", ["sh", "-c", "exit 4"], hooks)
    r = oci("run", "--bundle", b, cid)
    assert r.returncode == 4, r.stderr
    assert "warning" not in r.stderr
    assert order.read_text().split() == ["prestart", "createRuntime", "poststart", "poststop"]


def bundle_with_out_mount(oci, name, args, hooks, out):
    b = bundle_with_hooks(oci, name, args, hooks)
    cfg = json.loads((Path(b) / "config.json").read_text())
    cfg["mounts"].append({"destination": "/out", "type": "bind", "source": str(out),
                          "options": ["rbind", "rw"]})
    (Path(b) / "config.json").write_text(json.dumps(cfg))
    return b


def test_start_container_hook_runs_inside_the_container(oci, tmp_path):
    """startContainer: by start, before the process goes on, inside the
    container's namespaces (its hostname, its mounts: /out exists only
    there), path resolved there, the state on stdin."""
    out = tmp_path / "out"
    out.mkdir()
    hooks = {"startContainer": [{"path": "/bin/sh", "args": [
        "sh", "-c", "cat > /out/state; hostname > /out/host; test -d /out && echo in > /out/mnt"]}]}
    b = bundle_with_out_mount(oci, "bsc", LOOP, hooks, out)
    h8 = unique_id("h8")
    r, log = oci.create(b, h8)
    assert r.returncode == 0, log.read_text()
    pid = oci.state(h8)["pid"]
    assert not (out / "state").exists()  # not by create
    r = oci("start", h8)
    assert r.returncode == 0, r.stderr
    (s,) = states(out / "state")
    assert s["id"] == h8 and s["status"] == "created" and s["pid"] == pid, s
    assert (out / "host").read_text().strip() == "hull"  # the container's uts namespace
    assert (out / "mnt").read_text().strip() == "in"
    trap_installed(log)


def test_failing_start_container_hook_fails_start_and_stops(oci, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    hooks = {"startContainer": [{"path": "/bin/sh", "args": ["sh", "-c", "exit 5"]}]}
    b = bundle_with_out_mount(oci, "bsf", LOOP, hooks, out)
    h9 = unique_id("h9")
    r, log = oci.create(b, h9)
    assert r.returncode == 0, log.read_text()
    pid = oci.state(h9)["pid"]
    r = oci("start", h9)
    assert r.returncode == 1
    assert "startContainer hook #0 '/bin/sh' failed (exit status 5)" in r.stderr
    wait_exit(pid)
    assert oci.state(h9)["status"] == "stopped"
    assert "ready" not in log.read_text()  # the process never went on
    assert oci("delete", h9).returncode == 0
    assert cgroup_dirs("hull-oci", h9) == []


def test_run_bundle_runs_start_container_before_the_process(oci, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    hooks = {"startContainer": [{"path": "/bin/sh", "args": ["sh", "-c", "echo hooked > /out/ran"]}]}
    b = bundle_with_out_mount(oci, "bsr", ["sh", "-c", "cat /out/ran"], hooks, out)
    h10, h11 = unique_id("h10"), unique_id("h11")
    r = oci("run", "--bundle", b, h10)
    assert r.returncode == 0, r.stderr
    assert r.stdout == "hooked\n"
    hooks["startContainer"][0]["args"] = ["sh", "-c", "exit 6"]
    b = bundle_with_out_mount(oci, "bsr2", ["sh", "-c", "echo ran > /out/proc"], hooks, out)
    r = oci("run", "--bundle", b, h11)
    assert r.returncode != 0 and "startContainer hook #0" in r.stderr
    assert not (out / "proc").exists()
    assert not os.path.exists(os.path.join(oci.root, h11))


def test_hanging_start_container_hook_times_out(oci, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    hooks = {"startContainer": [{"path": "/bin/sleep", "args": ["sleep", "100"], "timeout": 1}]}
    b = bundle_with_out_mount(oci, "bst", LOOP, hooks, out)
    h12 = unique_id("h12")
    r, log = oci.create(b, h12)
    assert r.returncode == 0, log.read_text()
    pid = oci.state(h12)["pid"]
    t0 = time.monotonic()
    r = oci("start", h12)
    assert r.returncode == 1
    assert time.monotonic() - t0 < 10
    assert "startContainer hook #0 '/bin/sleep' timed out after 1 s" in r.stderr
    wait_exit(pid)
    assert oci.state(h12)["status"] == "stopped"
    assert oci("delete", h12).returncode == 0


# ---- createContainer: inside the container, before its root switch --------

def needs_root():
    if os.geteuid() != 0:
        pytest.skip("needs root (namespaces, mounts and a cgroup per container)")


def ns(pid, name):
    return os.readlink(f"/proc/{pid}/ns/{name}")


def recording_hook(tmp_path, rec):
    """A shell script on the host only (tmp_path is not in the rootfs), so
    it runs only if its path resolves in the runtime's mount namespace. It
    finds where to record through its command line, as the spec's args
    allow: its namespaces, its pid as it sees it and as the container's
    /proc (mounted under its cwd before the root switch) sees it, its cwd,
    what the container's process is at that moment, and the state."""
    script = tmp_path / "record-hook"
    script.write_text("""#!/bin/sh
out=$1
mkdir "$out"
cat > "$out/state"
pid=$(grep '"pid"' "$out/state" | tr -dc 0-9)
for n in mnt pid uts net ipc; do readlink /proc/self/ns/$n > "$out/ns-$n"; done
echo $$ > "$out/self"
tr '\\0' ' ' < ./proc/$$/cmdline > "$out/container-proc-cmdline"
pwd -P > "$out/cwd"
readlink /proc/$pid/exe > "$out/container-exe"
stat -L -c %d:%i /proc/$pid/root/ > "$out/container-root"
echo "$HOOK_ENV" > "$out/env"
echo createContainer >> "$2"
""")
    script.chmod(0o755)
    return {"path": str(script), "args": ["record-hook", str(rec), str(tmp_path / "order")],
            "env": ["HOOK_ENV=given", "PATH=/usr/bin:/bin"]}


def order_hook(tmp_path, kind):
    return {"path": "/bin/sh", "args": ["sh", "-c", f"echo {kind} >> {tmp_path / 'order'}"]}


def test_create_container_hook_runs_in_the_container_before_the_root_switch(oci, tmp_path,
                                                                           hull):
    needs_root()
    cid = unique_id("cc1")
    rec = tmp_path / "rec"
    hooks = {"prestart": [order_hook(tmp_path, "prestart")],
             "createRuntime": [order_hook(tmp_path, "createRuntime")],
             "createContainer": [recording_hook(tmp_path, rec)],
             "poststart": [order_hook(tmp_path, "poststart")]}
    b = bundle_with_hooks(oci, "bcc", LOOP, hooks)
    r, out = oci.create(b, cid)
    assert r.returncode == 0, out.read_text()
    pid = oci.state(cid)["pid"]
    # after createRuntime, by create
    assert (tmp_path / "order").read_text().split() == ["prestart", "createRuntime",
                                                        "createContainer"]
    got = {f.name: f.read_text().strip() for f in rec.iterdir()}
    s = json.loads(got["state"])
    assert s["id"] == cid and s["pid"] == pid and s["status"] == "created", s
    assert s["bundle"] == b
    # the container's namespaces, not the host's
    for n in ("mnt", "pid", "uts", "net", "ipc"):
        assert got[f"ns-{n}"] == ns(pid, n), n
        assert got[f"ns-{n}"] != ns("self", n), n
    # forked after joining the pid namespace: its pid ($$) is its pid in the
    # container's /proc (already mounted, under its cwd)
    assert str(rec) in got["container-proc-cmdline"].split(), got
    assert int(got["self"]) > 1
    # cwd: the container's rootfs as it sees it before the switch
    assert got["cwd"] == os.path.realpath(oci.rootfs)
    # the container's process: hull's child, not yet in its root, its
    # command not yet run
    assert got["container-exe"] == os.path.realpath(hull)
    dev_ino = lambda p: f"{os.stat(p).st_dev}:{os.stat(p).st_ino}"  # noqa: E731
    assert got["container-root"] == dev_ino("/") != dev_ino(oci.rootfs)
    assert dev_ino(f"/proc/{pid}/root/") == dev_ino(oci.rootfs)  # switched since
    assert got["env"] == "given"
    assert "ready" not in out.read_text()
    assert oci("start", cid).returncode == 0
    trap_installed(out)
    assert (tmp_path / "order").read_text().split()[-1] == "poststart"


def test_run_bundle_runs_create_container_hooks(oci, tmp_path):
    needs_root()
    hooks = {"createRuntime": [order_hook(tmp_path, "createRuntime")],
             "createContainer": [order_hook(tmp_path, "createContainer"),
                                 order_hook(tmp_path, "createContainer2")],
             "poststop": [order_hook(tmp_path, "poststop")]}
    b = bundle_with_hooks(oci, "bccr", ["sh", "-c", "exit 7"], hooks)
    r = oci("run", "--bundle", b, unique_id("cc2"))
    assert r.returncode == 7, r.stderr
    assert (tmp_path / "order").read_text().split() == ["createRuntime", "createContainer",
                                                        "createContainer2", "poststop"]


def leak_snapshot(cid):
    from conftest import host_mounts
    return host_mounts(), cgroup_dirs("hull-oci", cid)


@pytest.mark.parametrize("hook,message", [
    ({"path": "/bin/sh", "args": ["sh", "-c", "exit 3"]},
     "createContainer hook #1 '/bin/sh' failed (exit status 3)"),
    ({"path": "/bin/sleep", "args": ["sleep", "100"], "timeout": 1},
     "createContainer hook #1 '/bin/sleep' timed out after 1 s"),
    # in the rootfs, not on the host: the path resolves in the runtime's
    ({"path": "/bin/hull-probe"},
     "cannot execute createContainer hook #1 '/bin/hull-probe': No such file or directory"),
], ids=["fails", "times-out", "path-in-rootfs-only"])
def test_failing_create_container_hook_fails_create_and_leaves_nothing(oci, tmp_path, hook,
                                                                      message):
    needs_root()
    assert os.path.exists(os.path.join(oci.rootfs, "bin/hull-probe"))
    assert not os.path.exists("/bin/hull-probe")
    cid = unique_id("cc3")
    mounts_before, _ = leak_snapshot(cid)
    b = bundle_with_hooks(oci, "bccf", LOOP, {
        "createContainer": [order_hook(tmp_path, "first"), hook],
        "poststart": [order_hook(tmp_path, "poststart")]})
    t0 = time.monotonic()
    r, out = oci.create(b, cid, "--pid-file", str(tmp_path / "pid"))
    assert r.returncode == 1
    assert time.monotonic() - t0 < 10
    lines = out.read_text().splitlines()
    assert len(lines) == 1 and message in lines[0], lines
    assert (tmp_path / "order").read_text().split() == ["first"]
    # the container's process is gone, and so is everything it had
    wait_exit(int((tmp_path / "pid").read_text()))
    assert oci("state", cid).returncode == 1
    assert not os.path.exists(os.path.join(oci.root, cid))
    assert leak_snapshot(cid) == (mounts_before, [])


def test_no_create_container_hook_no_stop(oci, tmp_path):
    """Without createContainer hooks the child never stops before its root
    switch (no report, no wait: its trace has no stop marks); with one it
    does, once, between its mounts and the switch."""
    needs_root()

    def child_marks(b, cid):
        trace = tmp_path / f"{cid}.trace"
        fd = os.open(trace, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o600)
        try:
            r = oci("--trace-fd", str(fd), "run", "--bundle", b, cid, pass_fds=(fd,))
        finally:
            os.close(fd)
        assert r.returncode == 0, r.stderr
        marks = [json.loads(x) for x in trace.read_text().splitlines() if x.strip()]
        return [m["phase"] for m in sorted(marks, key=lambda m: m["t_ns"])]

    plain = child_marks(bundle_with_hooks(oci, "bn0", ["true"], {
        "createRuntime": [order_hook(tmp_path, "createRuntime")]}), unique_id("cc4"))
    hooked = child_marks(bundle_with_hooks(oci, "bn1", ["true"], {
        "createContainer": [order_hook(tmp_path, "createContainer")]}), unique_id("cc5"))
    stop = ["mounted_stop", "mounted", "mounted_hooks_done", "mounted_go"]
    assert "root_switched" in plain and not set(stop) & set(plain), plain
    assert [p for p in hooked if p in stop] == stop, hooked
    # after the mounts, before the masks (and a read-only remount) and the switch
    assert hooked.index("proc_mounted") < hooked.index("mounted_stop")
    assert hooked.index("mounted_go") < hooked.index("paths_masked")
    assert hooked.index("paths_masked") < hooked.index("root_switched")


def test_create_container_hook_before_the_read_only_remount(oci, tmp_path):
    """root.readonly: the hook may still write into the rootfs (device
    injection adds files there), as under runc and crun; the process then
    finds it read-only."""
    needs_root()
    seen, cid = tmp_path / "seen", unique_id("cc6")
    # a directory made and removed at once: the shared rootfs keeps nothing
    probe = f"if mkdir {{0}}/.ro-probe-{cid} 2>/dev/null; then rmdir {{0}}/.ro-probe-{cid}; " \
        "echo rw; else echo ro; fi"
    hook = {"path": "/bin/sh", "args": ["sh", "-c", probe.format(".") + f" > {seen}"]}
    b = bundle_with_hooks(oci, "bro", ["sh", "-c", probe.format("")],
                          {"createContainer": [hook]})
    cfg = json.loads((Path(b) / "config.json").read_text())
    cfg["root"]["readonly"] = True
    (Path(b) / "config.json").write_text(json.dumps(cfg))
    r = oci("run", "--bundle", b, cid)
    assert r.returncode == 0, r.stderr
    assert seen.read_text() == "rw\n"
    assert r.stdout == "ro\n"


def test_create_container_hook_in_a_user_namespace(oci, tmp_path):
    """With a user namespace of its own the hook joins it first and becomes
    its root, as the container's process is at that point; it prints to
    create's stdout (the temp dir is not the mapped root's to write)."""
    needs_root()
    show = "echo $1 $(readlink /proc/self/ns/user) $(id -u)"
    hook = {"path": "/bin/sh", "args": ["sh", "-c", show, "sh", "hook"]}
    b = bundle_with_hooks(oci, "bun", ["sh", "-c", show, "sh", "process"],
                          {"createContainer": [hook]})
    cfg = json.loads((Path(b) / "config.json").read_text())
    cfg["linux"]["namespaces"].append({"type": "user"})
    for k in ("uidMappings", "gidMappings"):
        cfg["linux"][k] = [{"containerID": 0, "hostID": 100000, "size": 65536}]
    (Path(b) / "config.json").write_text(json.dumps(cfg))
    r = oci("run", "--bundle", b, unique_id("cc7"))
    assert r.returncode == 0, r.stderr
    hook_line, process_line = r.stdout.splitlines()
    _, hook_ns, hook_uid = hook_line.split()
    _, process_ns, process_uid = process_line.split()
    assert hook_ns == process_ns != os.readlink("/proc/self/ns/user")
    assert hook_uid == process_uid == "0"
