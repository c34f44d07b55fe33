"""Helpers for the isolation tests: parse the host objects a verifier run
announces (-v for isolate, always for matrix) and check that none of them
is left on the host afterwards."""
import ctypes
import errno
import os
import re
import socket
from pathlib import Path

HOST_OBJECTS = re.compile(
    r"host objects: marker (?P<marker>\S+), port (?P<port>\d+), shm key (?P<shm>\d+), "
    r"mqueue (?P<mq>\S+), mount token prefix (?P<token>\S+), rootfs (?P<rootfs>\S+)")

_libc = ctypes.CDLL(None, use_errno=True)


def parse_host_objects(text):
    m = HOST_OBJECTS.search(text)
    assert m, f"no host objects line in: {text[:500]!r}"
    return m.groupdict()


def shm_exists(key):
    ipc_private = 0
    _libc.shmget.restype = ctypes.c_int
    rc = _libc.shmget(ctypes.c_int(int(key)), ctypes.c_size_t(0), ctypes.c_int(ipc_private))
    return rc >= 0 or ctypes.get_errno() != errno.ENOENT


def mqueue_exists(name):
    _libc.mq_open.restype = ctypes.c_int
    fd = _libc.mq_open(name.encode(), ctypes.c_int(os.O_RDONLY))
    if fd >= 0:
        _libc.mq_close(fd)
        return True
    return ctypes.get_errno() != errno.ENOENT


def port_listening(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(2)
    try:
        s.connect(("127.0.0.1", int(port)))
        return True
    except OSError:
        return False
    finally:
        s.close()


def mounts_with(token):
    with open("/proc/self/mountinfo") as f:
        return [line for line in f if token in line]


def processes_with(token):
    found = []
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            if token.encode() in (d / "cmdline").read_bytes():
                found.append(int(d.name))
        except OSError:
            pass
    return found


def leftovers(obj, rootfs=None):
    """Every host object of that run still present, as readable strings."""
    left = []
    marker_dir = Path(obj["marker"]).parent
    if marker_dir.exists():
        left.append(f"marker dir {marker_dir}")
    if port_listening(obj["port"]):
        left.append(f"listener on {obj['port']}")
    if shm_exists(obj["shm"]):
        left.append(f"shm key {obj['shm']}")
    if mqueue_exists(obj["mq"]):
        left.append(f"mqueue {obj['mq']}")
    left += [f"mount {m.split()[4]}" for m in mounts_with(obj["token"])]
    left += [f"mount under {marker_dir}" for m in mounts_with(str(marker_dir))]
    left += [f"process {p}" for p in processes_with(obj["token"])]
    for base in filter(None, [rootfs, obj.get("rootfs")]):
        for sub in ("tmp", ""):
            d = Path(base) / sub
            if d.is_dir():
                left += [f"dir {e}" for e in d.iterdir() if e.name.startswith(obj["token"])]
    left += [f"dir {e}" for e in Path("/tmp").iterdir() if e.name.startswith(obj["token"])]
    return left
