"""Where the state lives in the container: blob names, creating blobs, listing leases, errors.

:class:`StateBlobs` is the storage side the backend and the lease waiter share; it knows nothing
about documents or held leases, so the waiter (:mod:`odibi_state_azure.locking`) depends on it and
not on the backend.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING
from urllib.parse import quote, unquote

from odibi_core.contracts.state import STATE_LOCK_NAME
from odibi_core.redaction import redact_text
from odibi_core.redaction.shorten import first_line

from odibi_state_azure.errors import StateStoreError
from odibi_state_azure.leases import error_code

if TYPE_CHECKING:
    from azure.storage.blob import BlobClient, BlobProperties, BlobServiceClient

logger = logging.getLogger("odibi.state.azure")

PLACEHOLDER_CONTENT_TYPE = "application/vnd.odibi.state-placeholder"
"""Content type of the empty blob created so the ``state`` lease can exist before any document."""

STATE_CONTENT_TYPE = "application/json"
"""Content type of a written state document."""

LOCK_SUFFIX = ".lock"


def lock_prefix_for(blob: str) -> str:
    """Folder of the lock blobs of state blob ``blob`` (``a/state.json`` -> ``a/state.locks``)."""
    stem = blob[: -len(".json")] if blob.endswith(".json") else blob
    return f"{stem}.locks"


class StateBlobs:
    """The state blob and the lock blobs of one state location.

    Args:
        service: The SDK's ``BlobServiceClient``.
        container: Container name (created when a blob is first needed).
        blob: State blob name.
        lease_duration: Seconds a lease lasts unrenewed (15-60).
    """

    def __init__(
        self, service: BlobServiceClient, *, container: str, blob: str, lease_duration: int = 30
    ) -> None:
        self.service = service
        self.container_name = container
        self.blob_name = blob
        self.lease_duration = lease_duration
        self.lock_prefix = lock_prefix_for(blob)
        self.container = service.get_container_client(container)
        self.state_blob = self.container.get_blob_client(blob)

    @property
    def location(self) -> str:
        """``<account url>/<container>/<blob>`` without any credential."""
        return self.blob_location(self.state_blob)

    def blob_location(self, blob: BlobClient) -> str:
        """Credential-free URL of ``blob`` (the state blob or a lock blob)."""
        from odibi_state_azure.client import safe_url

        return f"{safe_url(self.service.url)}/{self.container_name}/{blob.blob_name}"

    def blob_for(self, name: str) -> BlobClient:
        """The blob whose lease is lock ``name`` (the state blob for the ``state`` lock)."""
        if name == STATE_LOCK_NAME:
            return self.state_blob
        return self.container.get_blob_client(
            f"{self.lock_prefix}/{quote(name, safe='._-')}{LOCK_SUFFIX}"
        )

    def lock_name_of(self, blob_name: str) -> str | None:
        if blob_name == self.blob_name:
            return STATE_LOCK_NAME
        head = self.lock_prefix + "/"
        if blob_name.startswith(head) and blob_name.endswith(LOCK_SUFFIX):
            return unquote(blob_name[len(head) : -len(LOCK_SUFFIX)])
        return None

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
                    self.container.create_container()
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

    def leased(self) -> list[tuple[str, BlobProperties]]:
        """``(lock name, properties)`` of every lock blob and the state blob that is leased now."""
        from azure.core.exceptions import AzureError, ResourceNotFoundError

        found: list[tuple[str, BlobProperties]] = []
        try:
            blobs = list(
                self.container.list_blobs(
                    name_starts_with=self.lock_prefix + "/", include=["metadata"]
                )
            )
            try:
                blobs.append(self.state_blob.get_blob_properties())
            except ResourceNotFoundError as exc:
                if error_code(exc) == "ContainerNotFound":
                    return []
        except ResourceNotFoundError:
            return []
        except AzureError as exc:
            raise self.storage_error("list the locks", exc) from None
        for props in blobs:
            name = self.lock_name_of(props.name)
            if name is not None and props.lease.state in ("leased", "breaking"):
                found.append((name, props))
        return found

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
