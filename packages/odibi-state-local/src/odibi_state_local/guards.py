"""A second hold on every named lock that no file tidying can remove (Linux).

A sidecar lock file can be deleted while a process holds its ``flock``: the holder keeps its lock
on the deleted file, and the next run creates a new file and locks that one, so two runs of one
pipeline would go ahead at once. On Linux every lock is therefore also held as an **abstract Unix
socket** (a name in the kernel, not in any folder) bound to the identity of the state folder
(device and inode) and the lock name. Only one socket can be bound to a name; the kernel frees it
the moment its process exits, however it exits. A waiter asks the socket who holds it
(``SO_PEERCRED``), so even with the lock file gone the error names the holding process.

On other systems there are no abstract sockets and the sidecar file alone is the lock: do not
delete ``*.lock`` files beside the state file while runs are going.
"""

from __future__ import annotations

import errno
import hashlib
import os
import socket
import struct
import sys
from pathlib import Path

SUPPORTED = sys.platform.startswith("linux") and hasattr(socket, "AF_UNIX")
"""Whether this system has abstract Unix sockets (Linux)."""

_PEERCRED = struct.Struct("3i")  # pid, uid, gid


def guard_address(folder: Path, state_name: str, lock_name: str) -> bytes | None:
    """The abstract socket address of lock ``lock_name`` of the state file ``folder/state_name``
    (``None`` where guards are not supported). The folder's device and inode identify it under
    any path it is reached by."""
    if not SUPPORTED:
        return None
    stat = os.stat(folder)
    key = f"{stat.st_dev}:{stat.st_ino}:{state_name}:{lock_name}".encode("utf-8", "surrogateescape")
    return b"\0odibi-lock/" + hashlib.sha256(key).hexdigest()[:48].encode()


def try_guard(address: bytes | None) -> socket.socket | None:
    """Bind ``address``: the guard socket if it was free (hold it open to keep the lock), else
    ``None``. With no address (unsupported system) a placeholder that holds nothing is returned
    as an always-free guard."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    if address is None:
        return sock
    try:
        sock.bind(address)
        sock.listen(8)  # so that waiters can connect and ask who holds it
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            return None
        raise
    return sock


def guard_holder_pid(address: bytes | None) -> int | None:
    """The pid of the process holding the guard at ``address``, or ``None`` if none does."""
    if address is None:
        return None
    probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        probe.settimeout(1.0)
        probe.connect(address)
        pid, _, _ = _PEERCRED.unpack(
            probe.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, _PEERCRED.size)
        )
        return pid or None
    except OSError:
        return None
    finally:
        probe.close()
