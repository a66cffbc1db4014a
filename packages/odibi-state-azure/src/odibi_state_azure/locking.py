"""Waiting for a lease: retry with backoff up to the lock timeout, then name the holder.

A held lease answers ``409 LeaseAlreadyPresent``; the waiter sleeps (0.1 s growing to 1 s, with
jitter) and asks again until its timeout runs out. It never breaks a lease by itself: a dead
holder's lease expires on its own within its duration, and a stuck one is broken by a person with
``odibi state unlock``.
"""

from __future__ import annotations

import random
import time
from typing import TYPE_CHECKING, Protocol

from odibi_core.plugin import HolderInfo, StateLockTimeout

from odibi_state_azure.leases import error_code
from odibi_state_azure.metadata import holder_from_metadata

if TYPE_CHECKING:
    from azure.storage.blob import BlobClient

    from odibi_state_azure.errors import StateStoreError

FIRST_DELAY = 0.1
"""Seconds before the second attempt."""

MAX_DELAY = 1.0
"""Longest sleep between two attempts (a released lock is noticed within about this long)."""

BUSY_CODES = frozenset({"LeaseAlreadyPresent", "LeaseIsBreakingAndCannotBeAcquired"})


class LeaseStore(Protocol):
    """What waiting for a lease needs from the storage side.

    :class:`~odibi_state_azure.blobs.StateBlobs` is the implementation.
    """

    lease_duration: int
    blob_name: str

    def ensure_blob(self, blob: BlobClient, *, is_state: bool) -> None:
        """Create the container and the empty blob if missing."""

    def blob_location(self, blob: BlobClient) -> str:
        """Credential-free URL of ``blob``."""

    def storage_error(self, doing: str, exc: BaseException) -> StateStoreError:
        """A one-line, secret-free error for an SDK failure."""


class UnknownHolder(HolderInfo):
    """A lease with no Odibi holder info (taken by another tool, or by a run that died at once)."""

    holder: str = "unknown"

    @classmethod
    def for_lock(cls, name: str) -> UnknownHolder:
        """The unknown holder of lock ``name``; its ``lock_id`` is the lock name, which
        ``force_unlock`` accepts."""
        return cls(lock_id=name, lock_name=name, acquired_at="", holder="unknown")

    def describe(self) -> str:
        """One line saying the holder is unknown."""
        return (
            f"lock {self.lock_name} held by an unknown holder (a blob lease with no Odibi holder "
            "info: another tool, or a run that died right after taking it)"
        )


def acquire_lease(
    backend: LeaseStore, blob: BlobClient, name: str, lease_id: str, timeout: float
) -> float | None:
    """Take the lease ``lease_id`` on ``blob``, waiting up to ``timeout`` seconds.

    Returns:
        The monotonic time the successful request was sent (the lease runs from then), or
        ``None`` if the wait ran out.
    """
    from azure.core.exceptions import AzureError, HttpResponseError, ResourceNotFoundError
    from azure.storage.blob import BlobLeaseClient

    deadline = time.monotonic() + max(0.0, timeout)
    delay = FIRST_DELAY
    created = 0
    while True:
        sent = time.monotonic()
        try:
            # proposing our own lease id makes a retried acquire idempotent
            BlobLeaseClient(blob, lease_id=lease_id).acquire(lease_duration=backend.lease_duration)
            return sent
        except ResourceNotFoundError:
            if created >= 3:
                raise backend.storage_error(
                    f"take lock {name}", ResourceNotFoundError("blob keeps disappearing")
                ) from None
            created += 1
            backend.ensure_blob(blob, is_state=blob.blob_name == backend.blob_name)
            continue
        except HttpResponseError as exc:
            if error_code(exc) not in BUSY_CODES:
                raise backend.storage_error(f"take lock {name}", exc) from None
        except AzureError as exc:
            raise backend.storage_error(f"take lock {name}", exc) from None
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return None
        time.sleep(min(delay * random.uniform(0.8, 1.2), remaining))
        delay = min(delay * 1.6, MAX_DELAY)


def lock_timeout_error(
    backend: LeaseStore, name: str, blob: BlobClient, waited: float
) -> StateLockTimeout:
    """The error for a wait that ran out (kernel wording): holder and exact unlock command."""
    from azure.core.exceptions import AzureError
    from odibi_core.plugin import lock_timeout_error as kernel_lock_timeout_error

    try:
        props = blob.get_blob_properties()
        leased = props.lease.state in ("leased", "breaking")
        holder: HolderInfo | None = (
            holder_from_metadata(props.metadata) or UnknownHolder.for_lock(name) if leased else None
        )
    except AzureError:
        holder = None
    error = kernel_lock_timeout_error(
        name, location=backend.blob_location(blob), waited=waited, holder=holder,
        backend=backend.name,
    )
    if isinstance(holder, UnknownHolder):
        error.message += "; a finite lease expires by itself, an infinite one only when broken"
        error.hint = f"If nothing should hold it, break the lease: `odibi state unlock {name}`"
    elif holder is not None:
        seconds = getattr(holder, "lease_seconds", None) or backend.lease_duration
        error.message += (
            f"; if that run died, its lease expires by itself within {seconds}s "
            "(it is finite and renewed only while the run lives)"
        )
        error.hint = (
            f"Wait for that run, raise --lock-timeout, or if it is dead: "
            f"`odibi state unlock {holder.lock_id}`"
        )
    else:
        error.hint = (
            "It was released as the wait ran out: run again (raise --lock-timeout if runs overlap)."
        )
    error.args = (error.message,)
    return error
