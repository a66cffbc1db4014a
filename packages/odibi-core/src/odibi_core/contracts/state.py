"""The state contract: a versioned JSON document that never goes backwards, and named locks.

The state document records, per pipeline, the last runs (who, when, how each node did, with config
fingerprints and output locations) and the incremental high-water marks. Its header carries
``version`` (format), ``lineage`` (random id fixed at creation), ``serial`` (incremented by every
write) and ``checksum`` (of the stored bytes). A backend never writes a lower serial, never replaces
a document of another lineage, and refuses a document that fails strict validation or its checksum
(:mod:`odibi_core.state.integrity`). The models live in :mod:`odibi_core.contracts.state_document`
and are re-exported here.

Backends implement :class:`StateBackend`. Most subclass :class:`DocumentStateBackend`, which turns
storage primitives (:meth:`~DocumentStateBackend.load_document`, a conditional
:meth:`~DocumentStateBackend.store_document`, named locks) into the full read-modify-write
contract, so every backend shares the same parsing, checks and redaction. Lock holders are
described by :class:`HolderInfo` (:mod:`odibi_core.contracts.state_holder`). The reference page
"State backend API" in the documentation walks through all of it.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Set
from contextlib import AbstractContextManager
from typing import Any, ClassVar, NamedTuple

from pydantic import ValidationError

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
from odibi_core.contracts.state_holder import (
    STATE_LOCK_NAME,
    HolderInfo,
    lock_timeout_error,
    pipeline_lock_name,
    utc_now,
)
from odibi_core.errors import StateConflictError, StateError
from odibi_core.state.integrity import (
    describe_error,
    load_state_json,
    parse_state,
    seal,
    validate_state,
)

DEFAULT_HISTORY_LIMIT = 50
"""Runs kept per pipeline in the document (older runs are dropped on write)."""

DEFAULT_LOCK_TIMEOUT = 60.0
"""Seconds :meth:`StateBackend.update` waits for the state lock when nothing else is configured."""


class StateBackend(ABC):
    """Where run state lives. One instance serves one project for one process.

    Every implementation must pass ``odibi_core.testing.state_contract.StateBackendContract``.
    The kernel builds an instance through the factory of the backend's
    :class:`~odibi_core.plugins.types.StateBackendSpec`, passing a
    :class:`~odibi_core.plugins.types.StateBuildContext` that carries the project's
    ``lock_timeout`` and ``history``; it never sets attributes on a built backend.
    """

    name: ClassVar[str] = "state"
    """The backend's display name, used in messages (``lock pipeline.daily on local state at
    ...``, ``state: local at ...``). Set it to the YAML ``state.backend`` value you register."""

    @property
    @abstractmethod
    def location(self) -> str:
        """Human-readable location (a path, a blob URL without credentials)."""

    def describe(self) -> str:
        """One line naming the backend and where it keeps state (``local state at /p/x.json``)."""
        return f"{self.name} state at {self.location}"

    @abstractmethod
    def read(self) -> StateDocument | None:
        """The current document, or ``None`` if none was ever written. Raises on a bad document."""

    @abstractmethod
    def update(
        self, fn: Callable[[StateDocument], None], *, timeout: float | None = None
    ) -> StateDocument:
        """Read-modify-write under the state lock: ``fn`` mutates the document in place.

        The stored serial becomes the read serial + 1; the lineage is kept. Returns what was
        written. ``timeout=None`` waits the backend's configured lock timeout.
        """

    @abstractmethod
    def lock(
        self, name: str, *, timeout: float, run_id: str | None = None
    ) -> AbstractContextManager[HolderInfo]:
        """Hold the named lock for the ``with`` block; wait up to ``timeout`` seconds.

        Raises:
            StateLockTimeout: naming the holder when the wait runs out (``timeout=0``: at once);
                build it with :func:`lock_timeout_error`.
        """

    @abstractmethod
    def holders(self) -> list[HolderInfo]:
        """Locks currently held (best effort; for ``state show`` and ``doctor``)."""

    @abstractmethod
    def force_unlock(self, lock_id: str) -> HolderInfo:
        """Break the lock whose holder has ``lock_id``; return who held it.

        Raises:
            LockNotFound: no lock has that id (exit 2).
            StateLockHeld: the holder is alive and this backend cannot take a lock from a live
                holder (an OS file lock).
        """

    def close(self) -> None:  # noqa: B027 (optional hook: the default does nothing)
        """Release resources (stop lease renewal threads, close clients)."""

    def pipeline_backend(self, pipeline: str) -> StateBackend | None:
        """A backend of the same kind for the document holding only ``pipeline``'s state, or
        ``None`` (the default) to keep every pipeline in this one document.

        With it, a run reads and writes only its own pipeline's history, however many other
        pipelines the project has (see :mod:`odibi_core.state.pipeline_documents`). The returned
        backend must pass the same contract suite; the caller closes it.
        """
        return None


class LoadedDocument(NamedTuple):
    """What :meth:`DocumentStateBackend.load_document` returns.

    Attributes:
        data: The stored bytes exactly as stored, or ``None`` if no document is stored.
        token: An opaque version token (an ETag, a file identity, a row version, or the bytes
            themselves) that :meth:`DocumentStateBackend.store_document` receives back to refuse
            a stale write. ``None`` is allowed when nothing is stored.
    """

    data: bytes | None
    token: Any


class DocumentStateBackend(StateBackend):
    """Implements :meth:`read` and :meth:`update` on storage primitives a subclass provides.

    A subclass implements :attr:`location`, :meth:`load_document`, :meth:`store_document`,
    :meth:`lock`, :meth:`holders` and :meth:`force_unlock` (and :meth:`close` if it holds
    resources). The base class parses and checks documents (:mod:`odibi_core.state.integrity`),
    keeps the serial monotonic, refuses lineage changes, trims history to ``history_limit`` and
    runs every stored document through the redaction registry, so no backend re-implements them.

    :meth:`update` calls, in order: ``lock(STATE_LOCK_NAME, timeout=..., run_id=self.run_id)``,
    then ``load_document()``, then ``fn(document)``, then ``store_document(bytes, token)`` with
    the token the load returned, all inside the ``with`` block of the state lock.

    Args:
        project: Project name written into a new document.
        history_limit: Runs kept per pipeline (the YAML ``state.history``).
        lock_timeout: Seconds :meth:`update` waits for the state lock when called with
            ``timeout=None`` (the YAML ``state.lock_timeout``, ``--lock-timeout``).
        run_id: Run id recorded as the holder of the state lock taken by :meth:`update`.
    """

    def __init__(
        self,
        *,
        project: str | None = None,
        history_limit: int = DEFAULT_HISTORY_LIMIT,
        lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
        run_id: str | None = None,
    ) -> None:
        self.project = project
        self.history_limit = history_limit
        self.lock_timeout = lock_timeout
        self.run_id = run_id
        self._seen_lineage: str | None = None
        self._written: tuple[bytes, StateDocument, dict[str, Any]] | None = None
        self._read: tuple[bytes, dict[str, Any], StateDocument | None] | None = None

    @abstractmethod
    def load_document(self) -> LoadedDocument:
        """The stored document's bytes and version token; never takes a lock.

        Returns:
            ``LoadedDocument(data, token)``; ``data`` is ``None`` if no document is stored.
            Return the bytes as stored: the base class parses and checks them.

        Raises:
            StateError: the store cannot be read (one line, no credentials). Never return
                ``None`` for an unreadable document: that would start a new history over it.
        """

    @abstractmethod
    def store_document(self, data: bytes, token: Any) -> None:
        """Atomically replace the stored document with ``data``, if it is still at ``token``.

        Called only inside :meth:`update`, with the state lock held. A reader must see either
        the old or the new bytes, never a mix.

        Args:
            data: The complete sealed document (store it byte for byte).
            token: What :meth:`load_document` returned under this same lock (``None``: nothing
                was stored, so store only if still nothing is).

        Raises:
            StateConflictError: the stored document is no longer at ``token`` (a writer got past
                the lock); nothing was written.
            StateLockLost: a lock this backend holds was broken or expired since it was taken
                (leases); nothing was written. A backend whose locks cannot be lost while held
                (OS file locks) never raises it.
            StateError: any other storage failure; the previous document must be intact.
        """

    def read(self) -> StateDocument | None:
        """See :meth:`StateBackend.read`."""
        return self._read_document(hand_over=False)

    def read_to_hand_over(self) -> StateDocument | None:
        """Read as :meth:`read` does, for a caller done with the document before its next
        :meth:`update`: that update, finding the same bytes stored, starts from this very
        document instead of validating the data again (at 50 runs of 200 nodes, a validation
        is a sizeable part of a run's state work). The caller must neither change the document
        nor use it once it calls :meth:`update`; the runner's read of the previous run (which
        copies what it needs) is such a caller."""
        return self._read_document(hand_over=True)

    def _read_document(self, *, hand_over: bool) -> StateDocument | None:
        data, _ = self.load_document()
        if data is None:
            return None
        raw = load_state_json(data, location=self.location)
        doc = validate_state(raw, location=self.location)
        self._check_lineage(doc)
        # the next update of these same bytes need not parse them (nor, handed over, validate)
        self._read = (data, raw, doc if hand_over else None)
        return doc

    def update(
        self, fn: Callable[[StateDocument], None], *, timeout: float | None = None
    ) -> StateDocument:
        """See :meth:`StateBackend.update`."""
        wait = self.lock_timeout if timeout is None else timeout
        with self.lock(STATE_LOCK_NAME, timeout=wait, run_id=self.run_id):
            data, token = self.load_document()
            current, stored = self._parse_stored(data)
            # a sealed (version 2) document was redacted when written; a converted version 1
            # document is searched whole
            if current is None or not current.checksum:
                stored = None
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
                    f"refusing to replace state lineage {lineage} with {doc.lineage} at "
                    f"{self.location}; "
                    "nothing was written"
                )
            doc.serial = serial + 1
            for pipeline in doc.pipelines.values():
                del pipeline.runs[: max(0, len(pipeline.runs) - self.history_limit)]
            sealed, clean, written = self._serialise(doc, stored=stored)
            self._written = None
            self.store_document(sealed, token)
            self._written = (sealed, clean, written)
            self._seen_lineage = doc.lineage
            return doc

    def _parse_stored(
        self, data: bytes | None
    ) -> tuple[StateDocument | None, dict[str, Any] | None]:
        """Parse what :meth:`load_document` returned into a document and its JSON data as stored.

        Bytes this backend itself wrote last (and nobody replaced since) are not parsed again:
        the document validated before that write is handed over instead (once: the caller
        changes it). Bytes it last read (:meth:`read`, which planned the run) are not parsed
        again either: their JSON data is validated into a new document (the one :meth:`read`
        returned stays its caller's), or the document itself is used if
        :meth:`read_to_hand_over` read them."""
        written, self._written = self._written, None
        read, self._read = self._read, None
        if data is None:
            return None, None
        if written is not None and written[0] == data:
            return written[1], written[2]
        if read is not None and read[0] == data:
            handed_over = read[2]
            if handed_over is not None:
                return handed_over, read[1]
            return validate_state(read[1], location=self.location), read[1]
        raw = load_state_json(data, location=self.location)
        return validate_state(raw, location=self.location), raw

    def _serialise(
        self, doc: StateDocument, *, stored: dict[str, Any] | None = None
    ) -> tuple[bytes, StateDocument, dict[str, Any]]:
        """The stored bytes, the validated document they encode and its JSON data (the data
        the next update compares its run records with): every string of the
        document redacted *before* JSON encoding, so a mask can never break an escape sequence
        and the document always reads back; validated as strictly as a read would (an invalid
        document is never written); then sealed with its checksum
        (:func:`odibi_core.state.integrity.seal`).

        ``stored`` is the JSON data of the document as it was read (sealed, so redacted when it
        was written): run records found there unchanged are not searched again, which kept the
        cost of a write from growing with the history (at 50 runs of 200 nodes the walk was most
        of it). A secret first registered after a run was stored is therefore not searched for
        in that run's record; every record is redacted when it is written or changed.

        The strict validation does not validate those unchanged run records again either: they
        are exactly what a strict read validated (see :func:`validated_for_writing`).

        Encoding goes through pydantic (compiled) rather than ``json.dumps(indent=...)``, whose
        pure-Python path dominated the cost of writing a large history.
        """
        dumped = doc.model_dump(mode="json")
        unchanged = unchanged_runs(dumped, stored)
        data = redact_state_data(dumped, unchanged=unchanged)
        try:
            clean = validated_for_writing(data, doc, unchanged)
        except ValidationError as exc:
            raise StateError(
                f"refusing to write state at {self.location}: the document would be invalid at "
                f"{describe_error(exc)}; nothing was written",
                hint="This is a bug in Odibi or a plugin that changed state; please report it.",
            ) from None
        sealed = seal(clean)
        doc.checksum = clean.checksum
        return sealed, clean, data

    def _check_lineage(self, doc: StateDocument) -> None:
        if self._seen_lineage is not None and doc.lineage != self._seen_lineage:
            raise StateConflictError(
                f"state at {self.location} changed lineage during this run "
                f"({self._seen_lineage} -> {doc.lineage}); nothing was written"
            )
        self._seen_lineage = doc.lineage


STRUCTURAL_KEYS = frozenset(
    {
        "version",
        "lineage",
        "serial",
        "run_id",
        "lock_id",
        "fingerprint",
        "started_at",
        "finished_at",
        "acquired_at",
        "status",
        "pid",
        "odibi_version",
        "duration_s",
        "rows_in",
        "rows_out",
        "rows_written",
        "rows_total",
        "high_water_marks",
        "checksum",
        "source_fingerprint",
        "updated_at",
    }
)
"""State keys whose values are identifiers, hashes, times or data marks: never redacted, because
a mask there would break resume, lineage checks or incremental reads (and they hold no secret)."""


def unchanged_runs(data: dict[str, Any], stored: dict[str, Any] | None) -> set[int]:
    """``id()`` of every run record in ``data`` (a document's JSON data) equal to the record of
    the same pipeline and run id in ``stored`` (the data as read); empty without ``stored``."""
    if not stored:
        return set()
    same: set[int] = set()
    before = stored.get("pipelines") or {}
    for name, pipeline in (data.get("pipelines") or {}).items():
        old = {
            run.get("run_id"): run
            for run in (before.get(name) or {}).get("runs") or []
            if isinstance(run, dict)
        }
        for run in pipeline.get("runs") or []:
            if isinstance(run, dict) and old.get(run.get("run_id")) == run:
                same.add(id(run))
    return same


def validated_for_writing(
    data: dict[str, Any], doc: StateDocument, unchanged: Set[int] = frozenset()
) -> StateDocument:
    """Validate ``data`` (the JSON data of ``doc``, redacted) into a new document, as strictly as
    a read would, except for its unchanged run records.

    A run record whose ``id()`` is in ``unchanged`` (see :func:`unchanged_runs`) equals a record
    of the stored document, which a strict read validated; validating it again was most of the
    cost of a write once the history held 50 runs of 200 nodes. Such records are left out of the
    validation and the new document gets a copy of ``doc``'s record in their place (the record
    and its ``nodes`` mapping are copied; node records, which no update changes in place, are
    shared). Everything else (the header, every other run, node records and marks) is
    validated, and run ids are checked for repeats across the whole history.

    Raises:
        pydantic.ValidationError: ``data`` is not a valid document.
    """
    if not unchanged:
        return StateDocument.model_validate(data)
    reused: dict[str, list[tuple[int, RunRecord]]] = {}
    pipelines: dict[str, Any] = {}
    for name, pipeline in (data.get("pipelines") or {}).items():
        runs: list[Any] = (pipeline.get("runs") if isinstance(pipeline, dict) else None) or []
        same = [i for i, run in enumerate(runs) if id(run) in unchanged]
        if same and name in doc.pipelines:
            originals = doc.pipelines[name].runs
            reused[name] = [(i, originals[i]) for i in same]
            skip = set(same)
            pipeline = {**pipeline, "runs": [r for i, r in enumerate(runs) if i not in skip]}
        pipelines[name] = pipeline
    clean = StateDocument.model_validate({**data, "pipelines": pipelines})
    for name, records in reused.items():
        runs = clean.pipelines[name].runs
        for i, record in records:  # ascending positions: each lands where it was
            runs.insert(i, record.model_copy(update={"nodes": dict(record.nodes)}))
        ids = [run.run_id for run in runs]
        if len(set(ids)) != len(ids):
            # what PipelineState checks, over the whole history this time
            PipelineState.model_validate({"runs": [run.model_dump() for run in runs]})
    return clean


def redact_state_data(data: Any, key: object = None, *, unchanged: Set[int] = frozenset()) -> Any:
    """Redact a state document's JSON data: every string except under :data:`STRUCTURAL_KEYS`,
    and whole values under sensitive key names. Mapping keys (pipeline and node names) are kept.
    Objects whose ``id()`` is in ``unchanged`` (run records already redacted when they were
    stored, see :func:`unchanged_runs`) are kept as they are."""
    from odibi_core.redaction import redact_text
    from odibi_core.redaction.mask import current_mask
    from odibi_core.redaction.patterns import is_secret_value_for_key

    mask = current_mask()

    def walk(value: Any, key: object) -> Any:  # imports hoisted: this runs once per value
        if key in STRUCTURAL_KEYS or value is None or id(value) in unchanged:
            return value
        if isinstance(value, dict):
            return {
                k: (mask if is_secret_value_for_key(k, v) else walk(v, k)) for k, v in value.items()
            }
        if isinstance(value, list):
            return [walk(v, key) for v in value]
        if isinstance(value, str):
            return redact_text(value)
        return value

    return walk(data, key)


def iter_pipeline_runs(
    doc: StateDocument, pipeline: str | None = None
) -> Iterator[tuple[str, RunRecord]]:
    """Yield ``(pipeline, run)`` pairs, oldest first, optionally for one pipeline."""
    for name, state in sorted(doc.pipelines.items()):
        if pipeline is None or name == pipeline:
            for run in state.runs:
                yield name, run


__all__ = [
    "DEFAULT_HISTORY_LIMIT",
    "DEFAULT_LOCK_TIMEOUT",
    "NODE_RECORD_STATUSES",
    "RUN_STATUSES",
    "STATE_FORMAT_VERSION",
    "STATE_LOCK_NAME",
    "STRUCTURAL_KEYS",
    "DocumentStateBackend",
    "HighWaterMark",
    "HolderInfo",
    "LoadedDocument",
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
