"""Named locks as operating-system file locks on stable sidecar files beside the state file.

Each lock name has its own sidecar (``state.json.lock`` for the state lock,
``state.json.<name>.lock`` for others, e.g. ``state.json.pipeline.daily.lock``). A sidecar is
created once and never replaced or deleted: a waiter that opened the old file of a replaced
path would lock an inode nobody else uses any more.

The holder writes its :class:`~odibi_core.contracts.state_holder.HolderInfo` (lock id, run id,
user@host, pid, since when) as JSON into the sidecar right after locking it and empties it
before unlocking, so a waiter that gives up can name the holder. The lock itself is the
operating system's (``flock`` on POSIX): it is released the moment its process exits, however
it exits. On Linux each lock is also held as an abstract socket (:mod:`odibi_state_local.guards`),
so deleting a sidecar while its lock is held does not let a second holder in. A record left by a
killed process therefore describes nobody; :meth:`SidecarLocks.holders`
ignores such stale records and :meth:`SidecarLocks.force_unlock` clears them.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import re
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from odibi_core.plugin import (
    STATE_LOCK_NAME,
    HolderInfo,
    LockNotFound,
    StateError,
    StateLockHeld,
    StateLockTimeout,
    lock_timeout_error,
)
from pydantic import ValidationError

from odibi_state_local import oslock
from odibi_state_local.guards import guard_address, guard_holder_pid, try_guard

FIRST_POLL_S = 0.001
"""First pause between two attempts to take a held lock; it doubles up to :data:`MAX_POLL_S`."""
MAX_POLL_S = 0.02
"""Longest pause between two attempts (bounds how late a waiter notices a released lock)."""

_UNSAFE = re.compile(r"[^A-Za-z0-9_.\-]")


def _sidecar_name(state_name: str, lock_name: str) -> str:
    if lock_name == STATE_LOCK_NAME:
        return f"{state_name}.lock"
    safe = _UNSAFE.sub(lambda m: f"%{ord(m.group()):02X}", lock_name)
    return f"{state_name}.{safe}.lock"


class SidecarLocks:
    """The named locks of one state file.

    Args:
        state_path: The state file; sidecars are created beside it.
    """

    def __init__(self, state_path: Path) -> None:
        self.state_path = state_path

    def path_of(self, name: str) -> Path:
        """The sidecar file of lock ``name``."""
        return self.state_path.parent / _sidecar_name(self.state_path.name, name)

    def sidecars(self) -> list[Path]:
        """Every sidecar that exists for this state file."""
        folder, base = self.state_path.parent, self.state_path.name
        found = set(folder.glob(f"{glob_escape(base)}.lock")) | set(
            folder.glob(f"{glob_escape(base)}.*.lock")
        )
        return sorted(found)

    @contextlib.contextmanager
    def hold(
        self,
        name: str,
        *,
        timeout: float,
        run_id: str | None,
        location: str,
        backend: str | None = None,
    ) -> Iterator[HolderInfo]:
        """Hold lock ``name`` for the ``with`` block, waiting up to ``timeout`` seconds.

        ``backend`` is the display name named in a timeout message.

        Raises:
            StateLockTimeout: naming the holder, when the wait runs out (``timeout <= 0``: at once).
        """
        path = self.path_of(name)
        handle = _open_sidecar(path, location)
        guard: socket.socket | None = None
        try:
            address = guard_address(path.parent, self.state_path.name, name)
            guard = _acquire(
                handle,
                path,
                address,
                name=name,
                timeout=timeout,
                location=location,
                backend=backend,
            )
            holder = HolderInfo.current(lock_name=name, run_id=run_id)
            try:
                _write_record(handle, holder)
                yield holder
            finally:
                try:
                    os.ftruncate(handle.fileno(), 0)
                finally:
                    oslock.unlock(handle)
        finally:
            if guard is not None:
                guard.close()
            handle.close()

    def holders(self) -> list[HolderInfo]:
        """Locks held right now (records of dead holders are skipped)."""
        held = []
        for path in self.sidecars():
            record = read_record(path)
            if record is not None and self._is_held(path):
                held.append(record)
        return sorted(held, key=lambda h: (h.acquired_at, h.lock_name))

    def force_unlock(self, lock_id: str, *, location: str) -> HolderInfo:
        """Clear the record of lock ``lock_id`` if its holder is dead; refuse if it is alive.

        Raises:
            LockNotFound: no lock has that id (a usage error, exit 2).
            StateLockHeld: the holder is alive (an OS lock cannot be taken from a live process).
        """
        for path in self.sidecars():
            record = read_record(path)
            if record is None or record.lock_id != lock_id:
                continue
            handle = _open_sidecar(path, location)
            try:
                if not oslock.try_lock(handle):
                    raise StateLockHeld(
                        f"cannot unlock {record.describe()}: the holder is alive and the operating "
                        f"system keeps a local lock exactly as long as its process runs"
                    )
                try:
                    current = read_record(path)
                    if current is not None and current.lock_id == lock_id:
                        os.ftruncate(handle.fileno(), 0)
                finally:
                    oslock.unlock(handle)
            finally:
                handle.close()
            return record
        held = ", ".join(f"{h.lock_id} ({h.lock_name}, run {h.run_id})" for h in self.holders())
        raise LockNotFound(f"no lock with id {lock_id} at {location}; held now: {held or 'none'}")

    def _is_held(self, path: Path) -> bool:
        try:
            handle = open(path, "rb")  # noqa: SIM115 - closed below; no create, no truncate
        except FileNotFoundError:
            return False
        try:
            if not oslock.try_lock(handle):
                return True
            oslock.unlock(handle)
            return False
        finally:
            handle.close()


def glob_escape(text: str) -> str:
    """Escape glob metacharacters in a file name."""
    return re.sub(r"([*?\[])", r"[\1]", text)


def read_record(path: Path) -> HolderInfo | None:
    """The holder record in sidecar ``path`` (``None``: empty, missing, or being rewritten)."""
    for attempt in range(3):
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return None
        if not data.strip():
            return None
        try:
            return HolderInfo.model_validate(json.loads(data))
        except (ValueError, ValidationError):
            time.sleep(0.002 * (attempt + 1))  # the holder is rewriting it; look again
    return None


def _open_sidecar(path: Path, location: str) -> IO[bytes]:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    except OSError as exc:
        raise StateError(
            f"cannot open lock file {path} for state at {location}: {exc.strerror}"
        ) from None
    return os.fdopen(fd, "r+b")


def _acquire(
    handle: IO[bytes],
    path: Path,
    address: bytes | None,
    *,
    name: str,
    timeout: float,
    location: str,
    backend: str | None = None,
) -> socket.socket:
    """Take the guard (:mod:`odibi_state_local.guards`), then the file lock; both or neither.
    Returns the guard socket, which holds the lock while it stays open."""
    start = time.monotonic()
    deadline = start + max(0.0, timeout)
    pause = FIRST_POLL_S
    while True:
        guard = try_guard(address)
        if guard is not None:
            try:
                taken = oslock.try_lock(handle)
            except oslock.LockFailed as exc:
                guard.close()
                raise StateError(
                    f"cannot lock {path} for state at {location}: {exc.strerror}"
                ) from None
            if taken:
                return guard
            guard.close()
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise _timeout(
                name, path, address, location=location, waited=max(0.0, timeout), backend=backend
            )
        time.sleep(min(remaining, pause * random.uniform(0.5, 1.0)))
        pause = min(pause * 2, MAX_POLL_S)


def _timeout(
    name: str,
    path: Path,
    address: bytes | None,
    *,
    location: str,
    waited: float,
    backend: str | None = None,
) -> StateLockTimeout:
    """The timeout error, naming the holder from its record, or (record gone with its lock file)
    the process that holds the guard."""
    record = read_record(path)
    error = lock_timeout_error(
        name, location=location, waited=waited, holder=record, backend=backend
    )
    pid = guard_holder_pid(address) if record is None else None
    if pid is not None:
        head = error.message.split(": its holder left no record")[0]
        error = StateLockTimeout(
            f"{head}: held by process {pid} on {socket.gethostname()}, whose lock file {path.name} "
            "was removed while it held the lock (the lock stays held until that process exits)",
            hint="Wait for that process to finish; never delete *.lock files beside the "
            "state file.",
        )
    return error


def _write_record(handle: IO[bytes], holder: HolderInfo) -> None:
    data = json.dumps(holder.model_dump(mode="json"), sort_keys=True).encode("utf-8")
    fd = handle.fileno()
    os.pwrite(fd, data, 0)
    os.ftruncate(fd, len(data))
