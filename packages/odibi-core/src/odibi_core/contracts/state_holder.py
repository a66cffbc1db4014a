"""Who holds a state lock, and the one wording of a lock wait that ran out.

Part of the state contract (:mod:`odibi_core.contracts.state` re-exports every name here). A
backend stores a :class:`HolderInfo` beside each lock it takes (a sidecar file, blob metadata, a
row) so that a waiter that gives up, ``odibi state show`` and ``odibi state unlock`` can name the
holder; it raises :func:`lock_timeout_error` when a wait runs out.
"""

from __future__ import annotations

import os
import socket
import uuid
from datetime import datetime, timezone

from pydantic import BaseModel, ConfigDict, Field

from odibi_core.errors import StateLockTimeout
from odibi_core.identity import current_user

STATE_LOCK_NAME = "state"
"""Name of the short lock held around every read-modify-write of the document."""


def utc_now() -> str:
    """Current UTC time as an ISO-8601 string with offset (the state document's time format)."""
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


def pipeline_lock_name(pipeline: str) -> str:
    """Name of the run lock of ``pipeline`` (held for a whole run of it)."""
    return f"pipeline.{pipeline}"


class HolderInfo(BaseModel):
    """Who holds a lock. Stored beside the lock so a waiter can name the holder.

    Extra keys are kept (``extra="allow"``): a backend may record more about its holder, for
    example the ``lease_seconds`` of a lease, and read them back.

    Attributes:
        lock_id: Random id of this hold (16 hex digits); what ``odibi state unlock LOCK_ID``
            takes. A new id is made for every acquisition.
        lock_name: The lock's name: ``state`` (:data:`STATE_LOCK_NAME`) or
            ``pipeline.<name>`` (:func:`pipeline_lock_name`).
        run_id: The run holding it (``None`` outside a run, e.g. ``odibi state`` commands).
        user: Login name of the holding process's user.
        host: Host name of the holding machine.
        pid: Process id of the holder on ``host``.
        acquired_at: When the lock was taken (ISO-8601 UTC, :func:`utc_now`).
        odibi_version: ``odibi_core.__version__`` of the holder.
    """

    model_config = ConfigDict(extra="allow")

    lock_id: str = Field(default_factory=lambda: uuid.uuid4().hex[:16],
                         description="Id of this hold; `odibi state unlock` takes it")
    lock_name: str = Field(default=STATE_LOCK_NAME, description="`state` or `pipeline.<name>`")
    run_id: str | None = Field(default=None,
                               description="Run holding the lock (None outside a run)")
    user: str = Field(default="", description="User of the holding process")
    host: str = Field(default="", description="Host of the holding process")
    pid: int = Field(default=0, description="Process id of the holder on its host")
    acquired_at: str = Field(default_factory=utc_now, description="ISO-8601 UTC time taken")
    odibi_version: str = Field(default="", description="odibi-core version of the holder")

    @classmethod
    def current(cls, *, lock_name: str, run_id: str | None) -> HolderInfo:
        """Holder info describing this process (a fresh ``lock_id``, ``acquired_at`` now)."""
        from odibi_core import __version__

        return cls(
            lock_name=lock_name,
            run_id=run_id,
            user=current_user(),
            host=socket.gethostname(),
            pid=os.getpid(),
            odibi_version=__version__,
        )

    def held_for_seconds(self) -> float | None:
        """Seconds since ``acquired_at`` (``None`` if unparseable)."""
        try:
            since = datetime.fromisoformat(self.acquired_at)
        except ValueError:
            return None
        return (datetime.now(timezone.utc) - since).total_seconds()

    def describe(self) -> str:
        """One line naming the holder: lock id, run id, user@host, pid and for how long."""
        held = self.held_for_seconds()
        held_text = f", held for {held:.1f}s" if held is not None else ""
        return (
            f"lock {self.lock_id} ({self.lock_name}) held by run {self.run_id or '?'} of "
            f"{self.user or '?'}@{self.host or '?'} pid {self.pid or '?'} since "
            f"{self.acquired_at}{held_text}"
        )


def lock_timeout_error(name: str, *, location: str, waited: float,
                       holder: HolderInfo | None, backend: str | None = None) -> StateLockTimeout:
    """The :class:`StateLockTimeout` a backend raises when the wait for lock ``name`` runs out.

    Every backend uses this wording, so users and tests meet one message shape: what was waited
    for, on which backend, where, for how long, and the holder (lock id, run id, user@host, pid,
    since when).

    Args:
        name: The lock's name (``state`` or ``pipeline.<name>``).
        location: The state location (no credentials).
        waited: Seconds waited (``0``: the caller asked not to wait).
        holder: The holder's record, or ``None`` if it left none (it may be starting or ending).
        backend: The backend's display name (its ``name``), e.g. ``local``; named in the
            message when given.
    """
    who = (holder.describe() if holder is not None
           else "its holder left no record (it may be ending)")
    where = f"on {backend} state at {location}" if backend else f"at {location}"
    if waited <= 0:
        head = f"lock {name} {where} is held and this run does not wait"
    else:
        head = f"gave up after waiting {waited:.1f}s for lock {name} {where}"
    return StateLockTimeout(f"{head}: {who}")


__all__ = [
    "STATE_LOCK_NAME",
    "HolderInfo",
    "lock_timeout_error",
    "pipeline_lock_name",
    "utc_now",
]
