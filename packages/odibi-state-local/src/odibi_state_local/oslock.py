"""Exclusive, non-blocking operating-system file locks: ``flock`` on POSIX, portalocker elsewhere.

On POSIX this makes exactly the call portalocker makes there (``fcntl.flock``), without importing
portalocker: importing that package also imports the optional ``redis`` client whenever it is
installed, which cost about 60 ms on every ``odibi run``. On other systems (Windows) portalocker
does the locking, imported on first use.
"""

from __future__ import annotations

import errno
import sys
from typing import IO

_HELD_ERRNOS = frozenset({errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK})


class LockFailed(OSError):
    """The operating system refused the lock for a reason other than another holder."""


def try_lock(handle: IO[bytes]) -> bool:
    """Take the exclusive lock on ``handle`` without waiting.

    Returns:
        ``True`` when the lock is now held by this handle, ``False`` when another holder has it.

    Raises:
        LockFailed: the lock could not be taken for another reason (e.g. the file system does
            not support locks).
    """
    if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
        return _portalocker_try_lock(handle)
    import fcntl

    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        if exc.errno in _HELD_ERRNOS:
            return False
        raise LockFailed(exc.errno, exc.strerror) from None
    return True


def unlock(handle: IO[bytes]) -> None:
    """Release the lock this handle holds (closing the handle releases it too)."""
    if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
        import portalocker

        portalocker.unlock(handle)
        return
    import fcntl

    fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _portalocker_try_lock(handle: IO[bytes]) -> bool:  # pragma: no cover - Windows only
    import portalocker

    try:
        portalocker.lock(
            handle, portalocker.LockFlags.EXCLUSIVE | portalocker.LockFlags.NON_BLOCKING
        )
    except portalocker.AlreadyLocked:
        return False
    except portalocker.LockException as exc:
        raise LockFailed(errno.EIO, str(exc)) from None
    return True
