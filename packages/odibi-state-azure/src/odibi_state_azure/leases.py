"""Held blob leases and the background thread that renews them well before they expire.

A lease is finite (15-60 s). While it is held, :class:`LeaseKeeper` renews it every third of its
duration. If renewal fails for good (the lease was broken, or it expired because renewals could
not get through in time), the lease is marked *lost* and every later state write through this
backend refuses to go ahead. If the process dies, nobody renews and the lease expires by itself.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import TYPE_CHECKING, Any

from odibi_core.plugin import HolderInfo, redact_text

if TYPE_CHECKING:
    from azure.storage.blob import BlobClient

logger = logging.getLogger("odibi.state.azure")

RENEW_FRACTION = 3
"""A lease is renewed every ``duration / RENEW_FRACTION`` seconds."""

RETRY_AFTER_FAILED_RENEWAL = 1.0
"""Seconds before retrying a renewal that failed for a transient reason."""

RENEW_REQUEST_TIMEOUT = 5
"""Seconds one renewal request may take (connect and read): a hung request must not outlive the
lease while the keeper waits for it."""

TICK = 0.25
"""How often the keeper thread looks for leases due for renewal."""

LEASE_ERRORS = frozenset(
    {
        "LeaseIsBrokenAndCannotBeRenewed",
        "LeaseIdMismatchWithLeaseOperation",
        "LeaseNotPresentWithLeaseOperation",
        "LeaseIdMismatchWithBlobOperation",
        "LeaseNotPresentWithBlobOperation",
        "LeaseLost",
        "LeaseIdMissing",
        "LeaseAlreadyPresent",
        "LeaseIsBreakingAndCannotBeAcquired",
        "LeaseIsBreakingAndCannotBeChanged",
        "BlobNotFound",
        "ContainerNotFound",
    }
)
"""Storage error codes that mean the lease is gone for good (no retry can bring it back)."""


def error_code(exc: BaseException) -> str:
    """The storage error code of an SDK exception as a plain string (``""`` if none)."""
    code: Any = getattr(exc, "error_code", None)
    if code is None:
        return ""
    return str(getattr(code, "value", code))


class Lease:
    """One lease this process holds on one blob.

    Attributes:
        name: The Odibi lock name (``state``, ``pipeline.<name>``).
        blob: The leased blob.
        lease_id: The lease id (sent with every write to the blob; never printed).
        holder: Who holds it (also in the blob's metadata).
        metadata: The holder metadata re-sent with every upload (an upload replaces metadata).
        duration: Lease duration in seconds.
    """

    def __init__(
        self,
        name: str,
        blob: BlobClient,
        lease_id: str,
        holder: HolderInfo,
        metadata: dict[str, str],
        duration: int,
        acquired_at: float,
    ) -> None:
        self.name = name
        self.blob = blob
        self.lease_id = lease_id
        self.holder = holder
        self.metadata = metadata
        self.duration = duration
        self.renewed_at = acquired_at
        self.next_renewal = acquired_at + duration / RENEW_FRACTION
        self.lost_reason: str | None = None
        self.released = False
        self.renewals = 0
        self._guard = threading.Lock()  # a renewal must never re-take a released lease

    @property
    def lost(self) -> bool:
        """Whether the lease is gone (broken, expired unrenewed, or taken by someone else)."""
        return self.lost_reason is not None

    def mark_lost(self, reason: str) -> None:
        """Record that the lease is gone; later writes through it are refused."""
        if self.lost_reason is None:
            self.lost_reason = reason
            logger.error(
                "lost the lease of lock %s (%s): %s; state writes stop",
                self.name,
                self.holder.lock_id,
                reason,
            )

    def renew(self) -> None:
        """Renew now (called by the keeper thread); marks the lease lost on a final failure."""
        from azure.core.exceptions import HttpResponseError
        from azure.storage.blob import BlobLeaseClient

        with self._guard:
            if self.released or self.lost:
                return
            sent = time.monotonic()
            try:
                BlobLeaseClient(self.blob, lease_id=self.lease_id).renew(
                    retry_total=0,
                    connection_timeout=RENEW_REQUEST_TIMEOUT,
                    read_timeout=RENEW_REQUEST_TIMEOUT,
                )
            except HttpResponseError as exc:
                code = error_code(exc)
                if code in LEASE_ERRORS:
                    self.mark_lost(f"renewal refused by the storage service ({code})")
                    return
                self._renewal_failed(sent, f"{type(exc).__name__} {code or exc.status_code}")
                return
            except Exception as exc:  # network errors: retry until the lease would have expired
                self._renewal_failed(
                    sent, redact_text(f"{type(exc).__name__}: {exc}").splitlines()[0]
                )
                return
            self.renewed_at = sent
            self.next_renewal = sent + self.duration / RENEW_FRACTION
            self.renewals += 1

    def _renewal_failed(self, sent: float, why: str) -> None:
        left = self.renewed_at + self.duration - time.monotonic()
        if left <= RETRY_AFTER_FAILED_RENEWAL:
            self.mark_lost(
                f"could not renew it for {time.monotonic() - self.renewed_at:.1f}s ({why}); "
                "it has expired and another run may hold it now"
            )
            return
        logger.warning(
            "renewing the lease of lock %s failed (%s); retrying, %.1fs left", self.name, why, left
        )
        self.next_renewal = sent + RETRY_AFTER_FAILED_RENEWAL

    def release(self, clear_metadata: dict[str, str] | None = None) -> None:
        """Clear the holder metadata (best effort) and release the lease; never raises."""
        from azure.storage.blob import BlobLeaseClient

        with self._guard:
            if self.released:
                return
            self.released = True
            try:
                # both requests carry our lease id: if someone else holds the blob now, they are
                # refused and change nothing
                if clear_metadata is not None:
                    self.blob.set_blob_metadata(clear_metadata, lease=self.lease_id)
                BlobLeaseClient(self.blob, lease_id=self.lease_id).release()
            except Exception as exc:
                if self.lost:
                    return  # expected: the lease is no longer ours
                # the lease then expires by itself within `duration` seconds
                logger.warning(
                    "could not release the lease of lock %s (%s); it expires within %ss",
                    self.name,
                    redact_text(f"{type(exc).__name__}: {exc}").splitlines()[0],
                    self.duration,
                )


class LeaseKeeper:
    """A daemon thread renewing the held leases of one backend; runs only while a lease is held."""

    def __init__(self) -> None:
        self._leases: list[Lease] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def add(self, lease: Lease) -> None:
        """Start renewing ``lease``."""
        with self._lock:
            self._leases.append(lease)
            if self._thread is None:
                self._stop.clear()
                self._thread = threading.Thread(
                    target=self._run, name="odibi-lease-keeper", daemon=True
                )
                self._thread.start()

    def discard(self, lease: Lease) -> None:
        """Stop renewing ``lease``."""
        with self._lock:
            if lease in self._leases:
                self._leases.remove(lease)

    def held(self) -> list[Lease]:
        """Leases currently kept."""
        with self._lock:
            return list(self._leases)

    def stop(self) -> None:
        """Stop the thread (leases still held are left to expire, or released by the caller)."""
        self._stop.set()
        with self._lock:
            thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.wait(TICK):
            with self._lock:
                if not self._leases:
                    if self._thread is threading.current_thread():
                        self._thread = None
                    return
                leases = list(self._leases)
            now = time.monotonic()
            for lease in leases:
                if not lease.released and not lease.lost and now >= lease.next_renewal:
                    try:
                        lease.renew()
                    except Exception:  # the thread must survive anything
                        logger.exception("unexpected error renewing lease of lock %s", lease.name)
