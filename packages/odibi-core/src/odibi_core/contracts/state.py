"""The state contract: a versioned JSON document that never goes backwards, and named locks.

The state document records, per pipeline, the last runs (who, when, how each node did, with config
fingerprints and output locations) and the incremental high-water marks. Its header carries
``version`` (format), ``lineage`` (random id fixed at creation), ``serial`` (incremented by every
write) and ``checksum`` (of the stored bytes). A backend never writes a lower serial, never replaces
a document of another lineage, and refuses a document that fails strict validation or its checksum
(:mod:`odibi_core.state.integrity`). The models live in :mod:`odibi_core.contracts.state_document`
and are re-exported here.

Backends implement :class:`StateBackend`. Most subclass :class:`DocumentStateBackend`, which turns
four storage primitives (load, conditional store, a state lock, named locks) into the full
read-modify-write contract, so every backend shares the same parsing, checks and redaction.
"""

from __future__ import annotations

import getpass
import os
import socket
import uuid
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from datetime import datetime, timezone
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from odibi_core.contracts.state_document import (
    NODE_RECORD_STATUSES,
    RUN_STATUSES,
    STATE_FORMAT_VERSION,
    HighWaterMark,
    NodeRecord,
    PipelineState,
    RunRecord,
    StateDocument,
    StateModel,
)
from odibi_core.errors import StateConflictError, StateError, StateLockTimeout
from odibi_core.state.integrity import describe_error, parse_state, seal

STATE_LOCK_NAME = "state"
"""Name of the short lock held around every read-modify-write of the document."""

DEFAULT_HISTORY_LIMIT = 50
"""Runs kept per pipeline in the document (older runs are dropped on write)."""


def utc_now() -> str:
    """Current UTC time as an ISO-8601 string with offset (the state document's time format)."""
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


def pipeline_lock_name(pipeline: str) -> str:
    """Name of the run lock of ``pipeline`` (held for a whole run of it)."""
    return f"pipeline.{pipeline}"


class HolderInfo(BaseModel):
    """Who holds a lock. Stored beside the lock so a waiter can name the holder."""

    model_config = ConfigDict(extra="allow")

    lock_id: str = Field(default_factory=lambda: uuid.uuid4().hex[:16])
    lock_name: str = STATE_LOCK_NAME
    run_id: str | None = None
    user: str = ""
    host: str = ""
    pid: int = 0
    acquired_at: str = Field(default_factory=utc_now)
    odibi_version: str = ""

    @classmethod
    def current(cls, *, lock_name: str, run_id: str | None) -> HolderInfo:
        """Holder info describing this process."""
        from odibi_core import __version__

        return cls(
            lock_name=lock_name,
            run_id=run_id,
            user=_user(),
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
                       holder: HolderInfo | None) -> StateLockTimeout:
    """The :class:`StateLockTimeout` a backend raises when the wait for lock ``name`` runs out.

    Every backend uses this wording, so users and tests meet one message shape: what was waited
    for, where, for how long, and the holder (lock id, run id, user@host, pid, since when).

    Args:
        name: The lock's name (``state`` or ``pipeline.<name>``).
        location: The state location (no credentials).
        waited: Seconds waited (``0``: the caller asked not to wait).
        holder: The holder's record, or ``None`` if it left none (it may be starting or ending).
    """
    who = holder.describe() if holder is not None else "its holder left no record (it may be ending)"
    if waited <= 0:
        head = f"lock {name} at {location} is held and this run does not wait"
    else:
        head = f"gave up after waiting {waited:.1f}s for lock {name} at {location}"
    return StateLockTimeout(f"{head}: {who}")


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return str(os.getuid()) if hasattr(os, "getuid") else "unknown"


class StateBackend(ABC):
    """Where run state lives. One instance serves one project for one process.

    Every implementation must pass ``odibi_core.testing.state_contract.StateBackendContract``.
    """

    name: str = "state"

    @property
    @abstractmethod
    def location(self) -> str:
        """Human-readable location (a path, a blob URL without credentials)."""

    @abstractmethod
    def read(self) -> StateDocument | None:
        """The current document, or ``None`` if none was ever written. Raises on a bad document."""

    @abstractmethod
    def update(
        self, fn: Callable[[StateDocument], None], *, timeout: float | None = None
    ) -> StateDocument:
        """Read-modify-write under the state lock: ``fn`` mutates the document in place.

        The stored serial becomes the read serial + 1; the lineage is kept. Returns what was written.
        """

    @abstractmethod
    def lock(
        self, name: str, *, timeout: float, run_id: str | None = None
    ) -> AbstractContextManager[HolderInfo]:
        """Hold the named lock for the ``with`` block; wait up to ``timeout`` seconds.

        Raises:
            StateLockTimeout: naming the holder when the wait runs out (``timeout=0``: at once).
        """

    @abstractmethod
    def holders(self) -> list[HolderInfo]:
        """Locks currently held (best effort; for ``state show`` and ``doctor``)."""

    @abstractmethod
    def force_unlock(self, lock_id: str) -> HolderInfo:
        """Break the lock whose holder has ``lock_id``; return who held it."""

    def close(self) -> None:
        """Release resources (stop lease renewal threads, close clients)."""

    def pipeline_backend(self, pipeline: str) -> StateBackend | None:
        """A backend of the same kind for the document holding only ``pipeline``'s state, or
        ``None`` (the default) to keep every pipeline in this one document.

        With it, a run reads and writes only its own pipeline's history, however many other
        pipelines the project has (see :mod:`odibi_core.state.pipeline_documents`). The returned
        backend must pass the same contract suite; the caller closes it.
        """
        return None


class DocumentStateBackend(StateBackend):
    """Implements :meth:`read` and :meth:`update` on four storage primitives.

    Subclasses provide :meth:`_load`, :meth:`_store`, :meth:`lock` and the lock queries. The base
    class parses and checks documents, keeps the serial monotonic, refuses lineage changes, and runs
    every stored document through the redaction registry.
    """

    def __init__(self, *, project: str | None = None, history_limit: int = DEFAULT_HISTORY_LIMIT,
                 lock_timeout: float = 60.0, run_id: str | None = None) -> None:
        self.project = project
        self.history_limit = history_limit
        self.lock_timeout = lock_timeout
        self.run_id = run_id
        self._seen_lineage: str | None = None

    @abstractmethod
    def _load(self) -> tuple[bytes | None, Any]:
        """Return the stored bytes (``None`` if absent) and an opaque version token (ETag)."""

    @abstractmethod
    def _store(self, data: bytes, token: Any) -> None:
        """Atomically replace the document, only if it is still at version ``token``."""

    def read(self) -> StateDocument | None:
        """See :meth:`StateBackend.read`."""
        data, _ = self._load()
        if data is None:
            return None
        doc = parse_state(data, location=self.location)
        self._check_lineage(doc)
        return doc

    def update(
        self, fn: Callable[[StateDocument], None], *, timeout: float | None = None
    ) -> StateDocument:
        """See :meth:`StateBackend.update`."""
        wait = self.lock_timeout if timeout is None else timeout
        with self.lock(STATE_LOCK_NAME, timeout=wait, run_id=self.run_id):
            data, token = self._load()
            current = parse_state(data, location=self.location) if data is not None else None
            if current is not None:
                self._check_lineage(current)
            elif self._seen_lineage is not None:
                raise StateConflictError(
                    f"state at {self.location} (lineage {self._seen_lineage}) disappeared during "
                    "this run; refusing to start a new history in its place, nothing was written",
                    hint="Restore the state file, or start a new run to begin a new history.",
                )
            doc = current if current is not None else StateDocument.new(self.project)
            lineage, serial = doc.lineage, doc.serial if current is not None else 0
            fn(doc)
            if doc.lineage != lineage:
                raise StateConflictError(
                    f"refusing to replace state lineage {lineage} with {doc.lineage} at {self.location}; "
                    "nothing was written"
                )
            doc.serial = serial + 1
            for pipeline in doc.pipelines.values():
                del pipeline.runs[: max(0, len(pipeline.runs) - self.history_limit)]
            self._store(self._serialise(doc, data), token)
            self._seen_lineage = doc.lineage
            return doc

    def _serialise(self, doc: StateDocument, previous: bytes | None = None) -> bytes:
        """The stored bytes: every string of the document redacted *before* JSON encoding, so a
        mask can never break an escape sequence and the document always reads back; validated
        as strictly as a read would (an invalid document is never written); then sealed with
        its checksum (:func:`odibi_core.state.integrity.seal`).

        Encoding goes through pydantic (compiled) rather than ``json.dumps(indent=...)``, whose
        pure-Python path dominated the cost of writing a large history. ``previous`` (the stored
        bytes) is accepted for backends that want to compare; redaction does not need it.
        """
        data = redact_state_data(doc.model_dump(mode="json"))
        try:
            clean = StateDocument.model_validate(data)
        except ValidationError as exc:
            raise StateError(
                f"refusing to write state at {self.location}: the document would be invalid at "
                f"{describe_error(exc)}; nothing was written",
                hint="This is a bug in Odibi or a plugin that changed state; please report it.",
            ) from None
        sealed = seal(clean)
        doc.checksum = clean.checksum
        return sealed

    def _check_lineage(self, doc: StateDocument) -> None:
        if self._seen_lineage is not None and doc.lineage != self._seen_lineage:
            raise StateConflictError(
                f"state at {self.location} changed lineage during this run "
                f"({self._seen_lineage} -> {doc.lineage}); nothing was written"
            )
        self._seen_lineage = doc.lineage


STRUCTURAL_KEYS = frozenset({
    "version", "lineage", "serial", "run_id", "lock_id", "fingerprint", "started_at", "finished_at",
    "acquired_at", "status", "pid", "odibi_version", "duration_s", "rows_in", "rows_out",
    "rows_written", "rows_total", "high_water_marks", "checksum", "source_fingerprint",
    "updated_at",
})
"""State keys whose values are identifiers, hashes, times or data marks: never redacted, because
a mask there would break resume, lineage checks or incremental reads (and they hold no secret)."""


def redact_state_data(data: Any, key: object = None) -> Any:
    """Redact a state document's JSON data: every string except under :data:`STRUCTURAL_KEYS`,
    and whole values under sensitive key names. Mapping keys (pipeline and node names) are kept."""
    from odibi_core.redaction import redact_text
    from odibi_core.redaction.mask import current_mask
    from odibi_core.redaction.patterns import is_secret_value_for_key

    mask = current_mask()

    def walk(value: Any, key: object) -> Any:  # imports hoisted: this runs once per value
        if key in STRUCTURAL_KEYS or value is None:
            return value
        if isinstance(value, dict):
            return {k: (mask if is_secret_value_for_key(k, v) else walk(v, k)) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v, key) for v in value]
        if isinstance(value, str):
            return redact_text(value)
        return value

    return walk(data, key)


def iter_pipeline_runs(doc: StateDocument, pipeline: str | None = None) -> Iterator[tuple[str, RunRecord]]:
    """Yield ``(pipeline, run)`` pairs, oldest first, optionally for one pipeline."""
    for name, state in sorted(doc.pipelines.items()):
        if pipeline is None or name == pipeline:
            for run in state.runs:
                yield name, run


__all__ = [
    "DEFAULT_HISTORY_LIMIT",
    "NODE_RECORD_STATUSES",
    "RUN_STATUSES",
    "STATE_FORMAT_VERSION",
    "STATE_LOCK_NAME",
    "STRUCTURAL_KEYS",
    "DocumentStateBackend",
    "HighWaterMark",
    "HolderInfo",
    "NodeRecord",
    "PipelineState",
    "RunRecord",
    "StateBackend",
    "StateDocument",
    "StateModel",
    "iter_pipeline_runs",
    "lock_timeout_error",
    "parse_state",
    "pipeline_lock_name",
    "redact_state_data",
    "utc_now",
]
