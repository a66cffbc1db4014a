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
from urllib.parse import quote, unquote

from odibi_core.contracts.state import (
    DEFAULT_HISTORY_LIMIT,
    DEFAULT_LOCK_TIMEOUT,
    STATE_LOCK_NAME,
    DocumentStateBackend,
    HolderInfo,
    LoadedDocument,
)
from odibi_core.errors import StateConflictError, StateError
from odibi_core.redaction import redact_text
from odibi_core.redaction.shorten import first_line

from odibi_state_azure.errors import LockNotHeld, StateLockLost, StateStoreError
from odibi_state_azure.leases import LEASE_ERRORS, Lease, LeaseKeeper, error_code
from odibi_state_azure.locking import UnknownHolder, acquire_lease, lock_timeout_error
from odibi_state_azure.metadata import holder_from_metadata, holder_to_metadata

if TYPE_CHECKING:
    from azure.storage.blob import BlobClient, BlobProperties, BlobServiceClient

    from odibi_state_azure.options import AzureBlobStateOptions

logger = logging.getLogger("odibi.state.azure")

PLACEHOLDER_CONTENT_TYPE = "application/vnd.odibi.state-placeholder"
"""Content type of the empty blob created so the ``state`` lease can exist before any document."""

STATE_CONTENT_TYPE = "application/json"
"""Content type of a written state document."""

LOCK_SUFFIX = ".lock"

EXPIRY_SAFETY_SECONDS = 2.0
"""A lease not confirmed for ``duration - this`` seconds is treated as lost: no write is risked."""


def lock_prefix_for(blob: str) -> str:
    """Folder of the lock blobs of state blob ``blob`` (``a/state.json`` -> ``a/state.locks``)."""
    stem = blob[: -len(".json")] if blob.endswith(".json") else blob
    return f"{stem}.locks"


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
        self.service = service
        self.container_name = container
        self.blob_name = blob
        self.lease_duration = lease_duration
        self.lock_prefix = lock_prefix_for(blob)
        self._container = service.get_container_client(container)
        self._state_blob = self._container.get_blob_client(blob)
        self._keeper = LeaseKeeper()
        self._held: dict[str, Lease] = {}
        self._held_guard = threading.Lock()

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

    # --- where --------------------------------------------------------------------------------

    @property
    def location(self) -> str:
        """``<account url>/<container>/<blob>`` without any credential."""
        return self.blob_location(self._state_blob)

    def blob_location(self, blob: BlobClient) -> str:
        """Credential-free URL of ``blob`` (the state blob or a lock blob)."""
        from odibi_state_azure.client import safe_url

        return f"{safe_url(self.service.url)}/{self.container_name}/{blob.blob_name}"

    def blob_for(self, name: str) -> BlobClient:
        """The blob whose lease is lock ``name`` (the state blob for the ``state`` lock)."""
        if name == STATE_LOCK_NAME:
            return self._state_blob
        return self._container.get_blob_client(
            f"{self.lock_prefix}/{quote(name, safe='._-')}{LOCK_SUFFIX}"
        )

    def _lock_name_of(self, blob_name: str) -> str | None:
        if blob_name == self.blob_name:
            return STATE_LOCK_NAME
        head = self.lock_prefix + "/"
        if blob_name.startswith(head) and blob_name.endswith(LOCK_SUFFIX):
            return unquote(blob_name[len(head) : -len(LOCK_SUFFIX)])
        return None

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
                return LoadedDocument(b"", now.etag)  # an empty blob someone else wrote: refused as corrupt
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

        blob = self.blob_for(name)
        lease_id = str(uuid.uuid4())
        started = time.monotonic()
        sent = acquire_lease(self, blob, name, lease_id, timeout)
        if sent is None:
            waited = time.monotonic() - started if timeout > 0 else 0.0
            raise lock_timeout_error(self, name, blob, waited)
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

    def ensure_blob(self, blob: BlobClient, *, is_state: bool) -> None:
        """Create the container and the (empty) blob if missing; losing a creation race is fine."""
        from azure.core.exceptions import AzureError, ResourceExistsError, ResourceNotFoundError
        from azure.storage.blob import ContentSettings

        content_type = PLACEHOLDER_CONTENT_TYPE if is_state else "application/octet-stream"
        for _ in range(3):
            try:
                blob.upload_blob(
                    b"",
                    overwrite=False,
                    content_settings=ContentSettings(content_type=content_type),
                )
                return
            except ResourceExistsError:
                return
            except ResourceNotFoundError:
                try:
                    self._container.create_container()
                    logger.info(
                        "created container %s for state at %s", self.container_name, self.location
                    )
                except ResourceExistsError:
                    pass
                except AzureError as exc:
                    raise self.storage_error(
                        f"create container {self.container_name}", exc
                    ) from None
            except AzureError as exc:
                raise self.storage_error(f"create {blob.blob_name}", exc) from None
        raise StateStoreError(
            f"could not create {blob.blob_name} at {self.location} (it kept disappearing)"
        )

    # --- inspection and unlocking -------------------------------------------------------------

    def _leased(self) -> list[tuple[str, BlobProperties]]:
        """``(lock name, properties)`` of every lock blob and the state blob that is leased now."""
        from azure.core.exceptions import AzureError, ResourceNotFoundError

        found: list[tuple[str, BlobProperties]] = []
        try:
            blobs = list(
                self._container.list_blobs(
                    name_starts_with=self.lock_prefix + "/", include=["metadata"]
                )
            )
            try:
                blobs.append(self._state_blob.get_blob_properties())
            except ResourceNotFoundError as exc:
                if error_code(exc) == "ContainerNotFound":
                    return []
        except ResourceNotFoundError:
            return []
        except AzureError as exc:
            raise self.storage_error("list the locks", exc) from None
        for props in blobs:
            name = self._lock_name_of(props.name)
            if name is not None and props.lease.state in ("leased", "breaking"):
                found.append((name, props))
        return found

    def holders(self) -> list[HolderInfo]:
        """Every lock held now, from lease state and holder metadata (unknown holders included)."""
        return [
            holder_from_metadata(props.metadata) or UnknownHolder.for_lock(name)
            for name, props in self._leased()
        ]

    def force_unlock(self, lock_id: str) -> HolderInfo:
        """Break the lease whose holder has ``lock_id``; return who held it.

        A lock *name* is accepted too: that is how a lease without holder info is broken.
        """
        from azure.core import MatchConditions
        from azure.core.exceptions import AzureError
        from azure.storage.blob import BlobLeaseClient

        held = self._leased()
        for name, props in held:
            holder = holder_from_metadata(props.metadata)
            if (holder is not None and holder.lock_id == lock_id) or name == lock_id:
                blob = self.blob_for(name)
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
        try:
            self.service.close()
        except Exception:  # closing a transport must never mask the run's own outcome
            logger.debug("closing the blob service client failed", exc_info=True)

    def storage_error(self, doing: str, exc: BaseException) -> StateStoreError:
        """A one-line, secret-free error for an SDK failure while ``doing`` something."""
        from azure.core.exceptions import ClientAuthenticationError, HttpResponseError

        status = getattr(exc, "status_code", None)
        code = error_code(exc)
        if isinstance(exc, ClientAuthenticationError) or status in (401, 403):
            text = (
                f"not allowed to {doing} at {self.location} "
                f"({status or ''} {code or type(exc).__name__}); "
                "check the state credentials and their permissions"
            )
        elif isinstance(exc, HttpResponseError) and status:
            text = f"could not {doing} at {self.location}: HTTP {status} {code}".rstrip()
        else:
            first = first_line(exc)
            text = (
                f"cannot reach the state store to {doing} at {self.location}: "
                f"{type(exc).__name__} {first}"
            )
        return StateStoreError(redact_text(text.strip()))
