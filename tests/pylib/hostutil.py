"""Host-side helpers shared by the end-to-end tests (tests/e2e, through
its conftest) and the soak (tests/soak/soak.py): the mount table, cgroup
mount points, process trees, namespace inodes, waiting for a process to end
without sleeping."""
import os
import select


def mountinfo():
    """The calling process's mount table as (mount point, source, fs type)
    tuples, in mountinfo order."""
    out = []
    with open("/proc/self/mountinfo") as f:
        for line in f:
            pre, post = line.split(" - ", 1)
            fs, source = post.split()[:2]
            out.append((pre.split()[4], source, fs))
    return out


def mountinfo_roots():
    """The calling process's mount table as (mount point, root, source, fs
    type) tuples; root is the path within its filesystem a mount shows (for
    a bind mount, where it was bound from)."""
    out = []
    with open("/proc/self/mountinfo") as f:
        for line in f:
            pre, post = line.split(" - ", 1)
            fs, source = post.split()[:2]
            fields = pre.split()
            out.append((fields[4], fields[3], source, fs))
    return out


def host_mounts():
    """The mount table, sorted: compare before and after a test."""
    return sorted(mountinfo())


def mount_points():
    return [point for point, _, _ in mountinfo()]


def cgroup_mount_points():
    """Every cgroup (v1) and cgroup2 mount point, sorted."""
    return sorted({point for point, _, fs in mountinfo() if fs in ("cgroup", "cgroup2")})


def cgroup_v1_mounts():
    """{controller: mount point} of the v1 hierarchies (the first mount of
    each, as /proc/self/mountinfo lists them)."""
    out = {}
    with open("/proc/self/mountinfo") as f:
        for line in f:
            pre, post = line.split(" - ", 1)
            fstype, _source, opts = post.split()[:3]
            if fstype == "cgroup":
                for opt in opts.split(","):
                    out.setdefault(opt, pre.split()[4])
    return out


def stat_fields(pid):
    """The fields of /proc/<pid>/stat from the state on (field 3 first), or
    None when pid is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            data = f.read()
    except OSError:
        return None
    # The comm field may hold spaces and parentheses: fields follow the last ')'.
    return data[data.rindex(")") + 2:].split()


def proc_stat(pid):
    """(state, ppid) of pid from /proc/<pid>/stat, or None when it is gone."""
    rest = stat_fields(pid)
    return rest and (rest[0], int(rest[1]))


def start_time(pid):
    """pid's start time (clock ticks since boot, /proc/<pid>/stat field 22),
    or None when it is gone or a zombie: with the pid, names one process."""
    rest = stat_fields(pid)
    return None if not rest or rest[0] in ("Z", "X") else int(rest[19])


def run_by_another_suite(cgroup):
    """True when a hull container cgroup (named PID-STARTTIME after its
    hull) belongs to a hull that still runs and is not this process's
    descendant: another test suite's container, running at the same time.
    Leftover checks skip those; a cgroup of ours (its hull has ended) or of
    a hull that is gone still counts."""
    try:
        pid, start = map(int, os.path.basename(cgroup.rstrip("/")).split("-", 1))
    except ValueError:
        return False
    return start_time(pid) == start and pid not in descendants_of(os.getpid())


def children_of(pid):
    """{child pid: state} of pid's direct children, found by scanning
    /proc/*/stat (this kernel has no /proc/<pid>/task/<tid>/children)."""
    kids = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            st = proc_stat(entry)
            if st and st[1] == pid:
                kids[int(entry)] = st[0]
    return kids


def descendants_of(pid):
    """Every descendant of pid, parents before their children (one scan of
    /proc, so a process that forks meanwhile is seen or not, never half)."""
    kids = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            st = proc_stat(entry)
            if st:
                kids.setdefault(st[1], []).append(int(entry))
    out, todo = [], [pid]
    while todo:
        for child in kids.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


def deepest_descendant(pid):
    """The last process in a single chain hull -> [middle ->] container."""
    while True:
        kids = sorted(children_of(pid))
        if not kids:
            return pid
        pid = kids[0]


def ns_inode(pid, name):
    st = os.stat(f"/proc/{pid}/ns/{name}")
    return (st.st_dev, st.st_ino)


def wait_gone(pids, timeout):
    """Wait until every pid has ended (pidfd poll, no sleep loop); returns
    the pids still alive after timeout seconds."""
    fds = {}
    for pid in pids:
        try:
            fds[pid] = os.pidfd_open(pid)
        except ProcessLookupError:
            pass
    try:
        poller = select.poll()
        for fd in fds.values():
            poller.register(fd, select.POLLIN)
        alive = set(fds)
        deadline_ms = int(timeout * 1000)
        while alive and deadline_ms > 0:
            import time
            t0 = time.monotonic()
            for fd, _ in poller.poll(deadline_ms):
                pid = next(p for p, f in fds.items() if f == fd)
                alive.discard(pid)
                poller.unregister(fd)
            deadline_ms -= int((time.monotonic() - t0) * 1000) + 1
        return sorted(alive)
    finally:
        for fd in fds.values():
            os.close(fd)


def read_line(stream, timeout):
    """One line from a pipe, or None if no whole line arrives within timeout
    ("" at end of file). Reads the fd a byte at a time: a buffered readline
    would swallow the lines after the first, and select() would then wait
    for data that already arrived."""
    import time
    fd = stream.fileno()
    buf = b""
    deadline = time.monotonic() + timeout
    while not buf.endswith(b"\n"):
        left = deadline - time.monotonic()
        if left <= 0:
            return None
        ready, _, _ = select.select([fd], [], [], left)
        if not ready:
            return None
        ch = os.read(fd, 1)
        if not ch:
            break
        buf += ch
    return buf.decode()


def wait_until(predicate, timeout):
    """Poll a condition on the system's state until it holds (True) or the
    timeout passes (False): for states no event announces, e.g. a process
    having finished its exec."""
    import time
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.001)
    return predicate()


def comm_of(pid):
    try:
        with open(f"/proc/{pid}/comm") as f:
            return f.read().strip()
    except OSError:
        return None


def traced_env():
    """The environment for a hull run under strace (ptrace): a sanitized
    build's leak check cannot work there and would fail the run at exit
    (make sanitize sets ASAN_OPTIONS), so it is turned off for that run."""
    env = dict(os.environ)
    if "ASAN_OPTIONS" in env:
        env["ASAN_OPTIONS"] += ":detect_leaks=0"
    return env
