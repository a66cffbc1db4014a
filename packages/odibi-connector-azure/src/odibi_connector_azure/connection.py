"""The ``azure_blob`` and ``azure_adls`` connections: files under a container (or filesystem).

Reads: the engine gets ``odibi-az-<name>://container/base/path`` (globs and hive-partitioned
folders allowed) and DuckDB streams it through the connection's fsspec filesystem with ranged
reads, so a file never has to fit in memory.

Writes are atomic from a reader's point of view. DuckDB writes to a staging blob beside the
target (``.name.odibi-tmp-xxxxxxxx``): its blocks are committed only when the file is complete,
so a killed write leaves no blob at all. :meth:`AzureConnection.publish` then copies the staging
blob onto the target in one server-side copy (the old content stays readable until the copy
commits) and deletes the staging blob. A staging blob is named after its writer (host, process
and start time): the next write of the same target deletes those a dead writer left behind and
never a live run's (:meth:`AzureConnection.clean_stale`). Paths never leave ``base_path``.
"""

from __future__ import annotations

import contextlib
import fnmatch
import hashlib
import logging
import threading
import time
from typing import TYPE_CHECKING, Any

from odibi_core.plugin import CheckResult, FileConnection, ObjectStoreLocation

from odibi_connector_azure.credentials import (
    object_store_options,
    register_credentials,
    service_client,
)
from odibi_connector_azure.errors import AzurePathNotFound, AzureStorageError, translate
from odibi_connector_azure.filesystem import build_filesystem, protocol_for

if TYPE_CHECKING:
    from odibi_core.plugin import BuildContext, ReadRequest

    from odibi_connector_azure.options import AzureAdlsOptions, AzureBlobOptions

logger = logging.getLogger("odibi.azure")

STAGING_MARK = ".odibi-tmp-"
"""Part of every staging blob's name: ``<folder>/.<name>.odibi-tmp-<random>``."""

COPY_WAIT_SECONDS = 600
"""How long :meth:`AzureConnection.publish` waits for a server-side copy to finish."""


class AzureConnection(FileConnection):
    """Files in one container of an Azure Storage account (see the module docstring)."""

    type = "azure_blob"

    def __init__(self, name: str, options: AzureBlobOptions | AzureAdlsOptions) -> None:
        self.name = name
        self.options = options
        self.container = options.root
        self.protocol = protocol_for(name)
        register_credentials(options)
        self._lock = threading.Lock()
        self._service: Any = None
        self._filesystem: Any = None
        self._store_options: dict[str, str] | None = None
        self._verified = False

    @classmethod
    def build(
        cls, options: AzureBlobOptions | AzureAdlsOptions, context: BuildContext
    ) -> AzureConnection:
        """Factory used by the plugin registration."""
        return cls(context.name, options)

    # --- helpers ------------------------------------------------------------------------

    def key(self, path: str, *, write: bool = False) -> str:
        """The blob name of ``path`` (relative to ``base_path``); a path that would leave
        ``base_path`` (``..``, absolute, a URI, a NUL...) is refused with
        :class:`~odibi_core.files.paths.PathOutsideConnection` (blob names are not normalised by
        the service, but HTTP clients and other tools may resolve ``..`` in them)."""
        from odibi_core.files.paths import relative_path

        path = relative_path(path, connection=self.name, write=write)
        base = self.options.base_path
        return f"{base}/{path}" if base and path else (base or path)

    def _error(self, exc: BaseException, path: str) -> BaseException | None:
        return translate(
            exc,
            connection=self.name,
            container=self.container,
            path=path,
            credential=self.options.credential_kind,
        )

    def _call(self, path: str, fn: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except Exception as exc:
            error = self._error(exc, path)
            if error is None:
                raise
            raise error from None

    def _container_client(self) -> Any:
        with self._lock:
            if self._service is None:
                self._service = service_client(self.options)
        return self._service.get_container_client(self.container)

    def _verify(self) -> None:
        """One cheap request before the first read: a refused credential or a missing container
        fails here with a clear message instead of deep inside DuckDB."""
        if self._verified:
            return
        self._call("", self._container_client().get_container_properties)
        self._verified = True

    # --- FileConnection ------------------------------------------------------------------

    def resolve(self, path: str) -> str:
        """``odibi-az-<name>://container/key`` (checks access on first use)."""
        self._verify()
        return f"{self.protocol}://{self.container}/{self.key(path)}"

    def fsspec_filesystem(self) -> Any:
        """The adlfs filesystem serving :meth:`resolve` URIs (built once)."""
        with self._lock:
            if self._filesystem is None:
                self._filesystem = build_filesystem(self.name, self.options, self._error)
        return self._filesystem

    def object_store_location(self, path: str) -> ObjectStoreLocation:
        """``az://container/key`` and delta-rs's Azure settings (worked out once: a
        ``DefaultAzureCredential`` token is fetched once per run, not once per table)."""
        with self._lock:
            if self._store_options is None:
                self._store_options = object_store_options(self.options)
        uri = f"az://{self.container}/{self.key(path)}"
        return ObjectStoreLocation(uri, dict(self._store_options))

    def _matching(self, path: str) -> list[Any]:
        """Blob properties of every blob ``path`` selects: a blob, a folder's blobs, or a glob."""
        key = self.key(path)
        client = self._container_client()
        if any(c in key for c in "*?["):
            prefix = key[: min(key.index(c) for c in "*?[" if c in key)]
            blobs = self._call(path, lambda: list(client.list_blobs(name_starts_with=prefix)))
            return [
                b for b in blobs if fnmatch.fnmatchcase(b.name, key) and STAGING_MARK not in b.name
            ]
        blobs = self._call(path, lambda: list(client.list_blobs(name_starts_with=key)))
        return [
            b
            for b in blobs
            if (b.name == key or b.name.startswith(key.rstrip("/") + "/"))
            and STAGING_MARK not in b.name
        ]

    def read_paths(self, path: str) -> list[str]:
        """The blobs a read of ``path`` covers: the blob, every data blob under a folder, or a
        glob's matches; staging blobs and hidden names (``.x``, ``_SUCCESS``) are skipped, so a
        folder holding a killed writer's staging blob still reads."""
        from odibi_core.files.listing import NoFilesMatch
        from odibi_core.files.temp_names import is_hidden_name

        key = self.key(path)
        self._verify()
        globbed = [key.index(c) for c in "*?[" if c in key]
        # names below what the path spells out literally: the folder of a glob, or the folder read
        start = key[: min(globbed)].rpartition("/")[0] if globbed else key
        kept = []
        for blob in self._matching(path):
            below = blob.name[len(start) :].strip("/").split("/") if blob.name != key else []
            if any(is_hidden_name(part) for part in below if part):
                continue
            kept.append(f"{self.protocol}://{self.container}/{blob.name}")
        if not kept:
            raise NoFilesMatch(f"no file matches {self.name}:{path}")
        return sorted(kept)

    def exists(self, path: str) -> bool:
        """Whether ``path`` names a blob, a folder holding blobs, or a glob that matches any."""
        try:
            return bool(self._matching(path))
        except AzurePathNotFound:  # no container yet
            return False

    def source_fingerprint(self, request: ReadRequest) -> str | None:
        """A digest of the name, ETag and size of every blob the read selects (``None``: none)."""
        blobs = self._matching(request.path or "")
        if not blobs:
            return None
        digest = hashlib.sha256()
        for blob in sorted(blobs, key=lambda b: b.name):
            digest.update(f"{blob.name}\0{blob.etag}\0{blob.size}\n".encode())
        return "azure:" + digest.hexdigest()[:32]

    def _split(self, uri: str) -> str:
        """Blob name of a URI this connection returned."""
        prefix = f"{self.protocol}://{self.container}/"
        if not uri.startswith(prefix):
            raise AzureStorageError(
                f"connection {self.name!r}: {uri!r} is not one of its locations"
            )
        return uri[len(prefix) :]

    def staging_path(self, path: str) -> str:
        """A fresh staging blob beside ``path``, named after its writer
        (:func:`~odibi_core.files.temp_names.staging_name`), after deleting what dead writers of
        the same target left (:meth:`clean_stale`)."""
        from odibi_core.files.temp_names import staging_name

        key = self.key(path, write=True)
        folder, _, leaf = key.rpartition("/")
        self.clean_stale(path)
        where = f"{folder}/" if folder else ""
        return f"{self.protocol}://{self.container}/{where}{staging_name(leaf)}"

    def clean_stale(self, path: str) -> list[str]:
        """Delete the staging blobs of ``path`` whose writers are dead (never a live run's);
        return their names. Creates the container if it does not exist yet (first write)."""
        from odibi_core.files.publish import temp_alive
        from odibi_core.files.temp_names import parse_temp_name

        key = self.key(path, write=True)
        folder, _, leaf = key.rpartition("/")
        stem = f"{folder + '/' if folder else ''}.{leaf}{STAGING_MARK}"
        client = self._container_client()
        try:
            blobs = self._call(path, lambda: list(client.list_blobs(name_starts_with=stem)))
        except AzurePathNotFound:
            self._call(path, client.create_container)
            blobs = []
        self._verified = True
        now = time.time()
        stale: dict[str, None] = {}
        for blob in blobs:
            top = stem + blob.name[len(stem):].split("/")[0]  # a staging folder's own name
            temp = parse_temp_name(top.rpartition("/")[2], leaf)
            modified = blob.last_modified.timestamp() if blob.last_modified else now
            if temp is not None and not temp_alive(temp, max(0.0, now - modified)):
                stale.setdefault(top)
                logger.info("azure: deleting staging blob %s left by a dead writer", blob.name)
                self._delete(blob.name)
        return list(stale)

    def _delete(self, name: str) -> None:
        client = self._container_client()
        with contextlib.suppress(AzurePathNotFound):  # already gone
            self._call(name, client.delete_blob, name)

    def publish(self, staging: str, path: str) -> None:
        """Copy the staging blob (or folder) onto ``path`` server-side, then delete the staging."""
        source = self._split(staging)
        target = self.key(path, write=True)
        client = self._container_client()
        staged = self._call(
            path, lambda: [b.name for b in client.list_blobs(name_starts_with=source)]
        )
        if source in staged:
            self._copy(source, target, path)
        else:  # a folder (partitioned output): copied blob by blob, then the old blobs removed
            new = {name[len(source) :]: name for name in staged if name.startswith(source + "/")}
            for suffix, name in sorted(new.items()):
                self._copy(name, target + suffix, path)
            old = self._call(
                path, lambda: [b.name for b in client.list_blobs(name_starts_with=target + "/")]
            )
            for name in old:
                if name[len(target) :] not in new:
                    self._delete(name)
        self.discard(staging)

    def _copy(self, source: str, target: str, path: str) -> None:
        client = self._container_client()
        source_url = client.get_blob_client(source).url
        blob = client.get_blob_client(target)
        props = self._call(path, blob.start_copy_from_url, source_url, requires_sync=True)
        status = props.get("copy_status") if isinstance(props, dict) else None
        deadline = time.monotonic() + COPY_WAIT_SECONDS
        while status == "pending" and time.monotonic() < deadline:
            time.sleep(0.2)
            status = self._call(path, blob.get_blob_properties).copy.status
        if status not in (None, "success"):
            raise AzureStorageError(
                f"connection {self.name!r}: copying the staged file onto {path!r} "
                f"ended {status}; the previous file is unchanged"
            )

    def discard(self, staging: str) -> None:
        """Delete a staging blob (or every blob of a staging folder)."""
        source = self._split(staging)
        client = self._container_client()
        names = self._call(
            source, lambda: [b.name for b in client.list_blobs(name_starts_with=source)]
        )
        for name in names:
            if name == source or name.startswith(source + "/"):
                self._delete(name)

    def check(self) -> CheckResult:
        """Sign in and read the container's properties (``odibi doctor``)."""
        kind = self.options.credential_kind
        try:
            self._verify()
        except AzureStorageError as exc:
            return CheckResult(False, exc.message, {"credential": kind})
        return CheckResult(
            True,
            f"container {self.container!r} reachable ({kind})",
            {"container": self.container, "credential": kind},
        )

    def close(self) -> None:
        """Close the synchronous client (adlfs closes its own at exit)."""
        if self._service is not None:
            self._service.close()
            self._service = None


class AzureAdlsConnection(AzureConnection):
    """``azure_adls``: the same connection on an ADLS Gen2 filesystem (hierarchical namespace).

    Data is read and written through the Blob endpoint, which every ADLS Gen2 account also
    serves; writes are published by server-side copy exactly as for ``azure_blob``.
    """

    type = "azure_adls"
