"""Host-side helpers for the end-to-end tests: process trees, namespace
inodes, waiting for a process to end without sleeping."""
import os
import select


def children_of(pid):
    """Direct children of pid, found by scanning /proc/*/stat (this kernel
    has no /proc/<pid>/task/<tid>/children)."""
    kids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        # The comm field may hold spaces; ppid is the 2nd field after ')'.
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == pid:
            kids.append(int(entry))
    return kids


def descendants_of(pid):
    out, todo = [], [pid]
    while todo:
        kids = children_of(todo.pop())
        out.extend(kids)
        todo.extend(kids)
    return out


def deepest_descendant(pid):
    """The last process in a single chain hull -> [middle ->] container."""
    while True:
        kids = children_of(pid)
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
