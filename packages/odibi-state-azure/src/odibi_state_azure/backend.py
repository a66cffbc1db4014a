"""The ``azure_blob`` state backend: the state document in one blob, locks as finite blob leases.

Layout in the container (``blob`` defaults to ``<project>/state.json``)::

    sales/state.json                            the state document; the ``state`` lock is its lease
    sales/state.locks/pipeline.daily.lock       one empty blob per other lock name, leased when held

Every write of the state document carries the state lease id *and* the ETag read under that lease
(``If-Match``), and re-sends the holder metadata (an upload replaces metadata). A writer without
the lease, or with a stale ETag, is refused by the service and nothing is retried blindly.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from odibi_core.contracts.state import (
    DEFAULT_HISTORY_LIMIT,
    DEFAULT_LOCK_TIMEOUT,
    STATE_LOCK_NAME,
    DocumentStateBackend,
    HolderInfo,
    LoadedDocument,
)
from odibi_core.errors import StateConflictError, StateError

from odibi_state_azure.blobs import PLACEHOLDER_CONTENT_TYPE, STATE_CONTENT_TYPE, StateBlobs
from odibi_state_azure.errors import LockNotHeld, StateLockLost, StateStoreError
from odibi_state_azure.leases import LEASE_ERRORS, Lease, LeaseKeeper, error_code
from odibi_state_azure.locking import UnknownHolder, acquire_lease, lock_timeout_error
from odibi_state_azure.metadata import holder_from_metadata, holder_to_metadata

if TYPE_CHECKING:
    from azure.storage.blob import BlobServiceClient

    from odibi_state_azure.options import AzureBlobStateOptions

logger = logging.getLogger("odibi.state.azure")

EXPIRY_SAFETY_SECONDS = 2.0
"""A lease not confirmed for ``duration - this`` seconds is treated as lost: no write is risked."""


class AzureBlobStateBackend(DocumentStateBackend):
    """State in one Azure blob; locks are finite leases renewed by a background thread.

    Args:
        service: The SDK's ``BlobServiceClient``
            (see :func:`odibi_state_azure.client.build_service_client`).
        container: Container name (created on first lock).
        blob: State blob name.
        lease_duration: Seconds a lease lasts unrenewed (15-60).
        project: Project name, recorded in a new document.
        run_id: Run id recorded in holder info of the locks this backend takes for writes.
        lock_timeout: Default wait for the state lock, seconds.
        history_limit: Runs kept per pipeline.
    """

    name = "azure_blob"
    """Display name (the YAML ``state.backend`` value)."""

    def __init__(
        self,
        service: BlobServiceClient,
        *,
        container: str,
        blob: str,
        lease_duration: int = 30,
        project: str | None = None,
        run_id: str | None = None,
        lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
        history_limit: int = DEFAULT_HISTORY_LIMIT,
    ) -> None:
        super().__init__(
            project=project, lock_timeout=lock_timeout, run_id=run_id, history_limit=history_limit
        )
        self.blobs = StateBlobs(
            service, container=container, blob=blob, lease_duration=lease_duration, name=self.name
        )
        self.service = service
        self.container_name = container
        self.blob_name = blob
        self.lease_duration = lease_duration
        self.lock_prefix = self.blobs.lock_prefix
        self._state_blob = self.blobs.state_blob
        self._keeper = LeaseKeeper()
        self._held: dict[str, Lease] = {}
        self._held_guard = threading.Lock()
        self._owns_service = True  # a pipeline document's backend borrows its parent's client

    @classmethod
    def from_options(
        cls,
        options: AzureBlobStateOptions,
        *,
        project: str,
        run_id: str | None = None,
        lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
        history_limit: int = DEFAULT_HISTORY_LIMIT,
    ) -> AzureBlobStateBackend:
        """Build from validated options; registers every credential for redaction first."""
        from odibi_state_azure.client import build_service_client, register_credentials

        register_credentials(options)
        service = build_service_client(options)
        return cls(
            service,
            container=options.container,
            blob=options.blob_name(project),
            lease_duration=options.lease_duration,
            project=project,
            run_id=run_id,
            lock_timeout=lock_timeout,
            history_limit=history_limit,
        )

    def pipeline_backend(self, pipeline: str) -> AzureBlobStateBackend:
        """The document of ``pipeline`` alone: blob ``<state blob stem>.pipelines/<pipeline>.json``
        in the same container, through the same client, with its own leases (see
        :mod:`odibi_core.state.pipeline_documents`)."""
        stem = (
            self.blob_name[: -len(".json")] if self.blob_name.endswith(".json") else self.blob_name
        )
        child = AzureBlobStateBackend(
            self.service,
            container=self.container_name,
            blob=f"{stem}.pipelines/{pipeline}.json",
            lease_duration=self.lease_duration,
            project=self.project,
            run_id=self.run_id,
            lock_timeout=self.lock_timeout,
            history_limit=self.history_limit,
        )
        child._owns_service = False
        return child

    # --- where --------------------------------------------------------------------------------

    @property
    def location(self) -> str:
        """``<account url>/<container>/<blob>`` without any credential."""
        return self.blobs.location

    def storage_error(self, doing: str, exc: BaseException) -> StateStoreError:
        """A one-line, secret-free error for an SDK failure while ``doing`` something."""
        return self.blobs.storage_error(doing, exc)

    # --- document primitives ------------------------------------------------------------------

    def load_document(self) -> LoadedDocument:
        """The document's bytes and ETag.

        ``(None, etag)`` for the placeholder, ``(None, None)`` if there is no blob at all.
        """
        from azure.core.exceptions import AzureError, ResourceNotFoundError

        for _ in range(5):
            try:
                downloader = self._state_blob.download_blob()
                data = downloader.readall()
                props = downloader.properties
                if data:
                    return LoadedDocument(data, props.etag)
                # The SDK reads an empty blob in two requests (a ranged GET answers 416, then a
                # plain GET); a write in between gives empty bytes with the new blob's headers.
                # Only a fresh look at the blob tells a real empty blob from that race.
                now = self._state_blob.get_blob_properties()
            except ResourceNotFoundError:
                return LoadedDocument(None, None)
            except AzureError as exc:
                raise self.storage_error("read the state", exc) from None
            if now.size == 0 and now.etag == props.etag:
                if now.content_settings.content_type == PLACEHOLDER_CONTENT_TYPE:
                    return LoadedDocument(None, now.etag)
                return LoadedDocument(
                    b"", now.etag
                )  # an empty blob someone else wrote: refused as corrupt
        raise StateStoreError(f"the state at {self.location} kept changing while being read")

    def store_document(self, data: bytes, token: Any) -> None:
        """Upload with the state lease id, ``If-Match: token`` and the holder metadata."""
        from azure.core import MatchConditions
        from azure.core.exceptions import AzureError, HttpResponseError
        from azure.storage.blob import BlobLeaseClient, ContentSettings

        lease = self._held.get(STATE_LOCK_NAME)
        if lease is None:
            raise StateError(
                f"refusing to write state at {self.location} without holding its lease"
            )
        with self._held_guard:
            others = [held for name, held in self._held.items() if name != STATE_LOCK_NAME]
        for held in others:
            # a run lock broken since its last renewal must stop this write, not the next one
            held.renew()
        self.check_leases()
        condition = MatchConditions.IfNotModified if token else MatchConditions.IfMissing
        try:
            self._state_blob.upload_blob(
                data,
                overwrite=True,
                lease=BlobLeaseClient(self._state_blob, lease_id=lease.lease_id),
                etag=token,
                match_condition=condition,
                metadata=lease.metadata,
                content_settings=ContentSettings(content_type=STATE_CONTENT_TYPE),
            )
        except HttpResponseError as exc:
            code = error_code(exc)
            if code == "ConditionNotMet":
                raise StateConflictError(
                    f"state at {self.location} changed after it was read (ETag mismatch): a writer "
                    "got past the lease; nothing was written",
                    hint="Rerun; if it happens again, look for a tool writing the state blob "
                    "directly.",
                ) from None
            if code in LEASE_ERRORS:
                lease.mark_lost(f"the storage service refused the lease on write ({code})")
                raise self._lost_error(lease) from None
            raise self.storage_error("write the state", exc) from None
        except AzureError as exc:
            raise self.storage_error("write the state", exc) from None

    def check_leases(self) -> None:
        """Raise :class:`StateLockLost` if a lease held here is lost or may have expired."""
        now = time.monotonic()
        with self._held_guard:
            leases = list(self._held.values())
        for lease in leases:
            if not lease.lost and now - lease.renewed_at >= lease.duration - EXPIRY_SAFETY_SECONDS:
                lease.mark_lost(
                    f"not renewed for {now - lease.renewed_at:.1f}s of its {lease.duration}s"
                )
            if lease.lost:
                raise self._lost_error(lease)

    def _lost_error(self, lease: Lease) -> StateLockLost:
        return StateLockLost(
            f"lost the lease of lock {lease.name} ({lease.holder.lock_id}) at {self.location}: "
            f"{lease.lost_reason}; state writes stopped and nothing was written"
        )

    # --- locks --------------------------------------------------------------------------------

    @contextmanager
    def lock(self, name: str, *, timeout: float, run_id: str | None = None) -> Iterator[HolderInfo]:
        """Hold lock ``name`` (a lease on its blob) for the ``with`` block; see the module doc."""
        lease = self._acquire(name, timeout=timeout, run_id=run_id)
        try:
            yield lease.holder
        finally:
            self._release(lease)

    def _acquire(self, name: str, *, timeout: float, run_id: str | None) -> Lease:
        from azure.core.exceptions import AzureError

        blob = self.blobs.blob_for(name)
        lease_id = str(uuid.uuid4())
        started = time.monotonic()
        sent = acquire_lease(self.blobs, blob, name, lease_id, timeout)
        if sent is None:
            waited = time.monotonic() - started if timeout > 0 else 0.0
            raise lock_timeout_error(self.blobs, name, blob, waited)
        base = HolderInfo.current(lock_name=name, run_id=run_id)
        holder = HolderInfo.model_validate(
            {**base.model_dump(), "lease_seconds": self.lease_duration}
        )
        metadata = holder_to_metadata(holder)
        lease = Lease(name, blob, lease_id, holder, metadata, self.lease_duration, sent)
        try:
            blob.set_blob_metadata(metadata, lease=lease_id)
        except AzureError as exc:
            lease.release()
            raise self.storage_error(f"record the holder of lock {name}", exc) from None
        with self._held_guard:
            self._held[name] = lease
        self._keeper.add(lease)
        logger.debug("took lock %s (%s) at %s", name, holder.lock_id, self.location)
        return lease

    def _release(self, lease: Lease) -> None:
        self._keeper.discard(lease)
        with self._held_guard:
            if self._held.get(lease.name) is lease:
                del self._held[lease.name]
        lease.release(clear_metadata={})
        if lease.lost:
            logger.warning(
                "lock %s ended after its lease was lost: %s", lease.name, lease.lost_reason
            )

    # --- inspection and unlocking -------------------------------------------------------------

    def holders(self) -> list[HolderInfo]:
        """Every lock held now, from lease state and holder metadata (unknown holders included)."""
        return [
            holder_from_metadata(props.metadata) or UnknownHolder.for_lock(name)
            for name, props in self.blobs.leased()
        ]

    def force_unlock(self, lock_id: str) -> HolderInfo:
        """Break the lease whose holder has ``lock_id``; return who held it.

        A lock *name* is accepted too: that is how a lease without holder info is broken.
        """
        from azure.core import MatchConditions
        from azure.core.exceptions import AzureError
        from azure.storage.blob import BlobLeaseClient

        held = self.blobs.leased()
        for name, props in held:
            holder = holder_from_metadata(props.metadata)
            if (holder is not None and holder.lock_id == lock_id) or name == lock_id:
                blob = self.blobs.blob_for(name)
                try:
                    BlobLeaseClient(blob).break_lease(lease_break_period=0)
                except AzureError as exc:
                    raise self.storage_error(f"break the lease of lock {name}", exc) from None
                try:  # drop the stale holder info, unless someone took the lock again meanwhile
                    after = blob.get_blob_properties()
                    if after.lease.state != "leased":
                        blob.set_blob_metadata(
                            {}, etag=after.etag, match_condition=MatchConditions.IfNotModified
                        )
                except AzureError:
                    pass
                logger.warning("broke the lease of lock %s at %s", name, self.location)
                return holder or UnknownHolder.for_lock(name)
        ids = (
            ", ".join(
                f"{(holder_from_metadata(p.metadata) or UnknownHolder.for_lock(n)).lock_id} ({n})"
                for n, p in held
            )
            or "none"
        )
        raise LockNotHeld(f"no lock with id {lock_id} is held at {self.location} (held now: {ids})")

    def close(self) -> None:
        """Release every lease still held (best effort) and stop the renewal thread."""
        with self._held_guard:
            leases = list(self._held.values())
            self._held.clear()
        for lease in leases:
            self._keeper.discard(lease)
            lease.release(clear_metadata={})
        self._keeper.stop()
        if not self._owns_service:
            return
        try:
            self.service.close()
        except Exception:  # closing a transport must never mask the run's own outcome
            logger.debug("closing the blob service client failed", exc_info=True)
