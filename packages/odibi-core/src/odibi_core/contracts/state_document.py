"""The models of the state document, validated strictly.

A stored document is Odibi's own output, so anything Odibi would never write is refused: unknown
keys, unknown statuses, a negative or absurdly large serial, a lineage that is not one Odibi makes,
a timestamp that does not parse, a high-water mark whose value does not match its type. Reading
such a document raises :class:`~odibi_core.errors.StateCorruptError` (see
:func:`odibi_core.state.integrity.parse_state`); nothing is reset or rewritten.

Format version 2 (this one) adds the ``checksum`` header, per-environment high-water marks and
the row counts and source fingerprints of node records. Version 1 documents (written before
checksums existed) are read once, converted, and sealed by the next write; see
:mod:`odibi_core.state.integrity`.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from odibi_core.state.marks import BadMark, decode_mark

STATE_FORMAT_VERSION = 2
"""Version of the state document format this kernel writes."""

MAX_SERIAL = 2**53 - 1
"""Largest serial accepted (a write per millisecond for 285,000 years; beyond it, corruption)."""

LINEAGE_PATTERN = r"^[0-9a-f]{32}$"
"""A lineage is a random UUID's 32 hex digits."""

RUN_STATUSES = ("running", "success", "failed", "interrupted")
"""Statuses of a run: ``interrupted`` means stopped by a signal, or found dead by the next run."""

NODE_RECORD_STATUSES = ("success", "failed", "skipped", "unchanged", "interrupted")
"""Statuses of a node record (see :data:`odibi_core.contracts.lifecycle.NODE_STATUSES`)."""

PIPELINE_KEY_PATTERN = r"^[A-Za-z0-9_.\-]+$"
NODE_KEY_PATTERN = r"^[A-Za-z_][A-Za-z0-9_]*$"
FINGERPRINT_PATTERN = r"^[0-9a-f]{0,64}$"

NodeName = Annotated[str, StringConstraints(pattern=NODE_KEY_PATTERN)]
PipelineName = Annotated[str, StringConstraints(pattern=PIPELINE_KEY_PATTERN)]


class StateModel(BaseModel):
    """Base of the state document's models: unknown keys are refused."""

    model_config = ConfigDict(extra="forbid", validate_assignment=False)


def _check_time(value: str | None) -> str | None:
    if value is not None:
        try:
            datetime.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{value!r} is not an ISO-8601 time") from None
    return value


def _one_of(allowed: tuple[str, ...], what: str) -> Callable[[str], str]:
    """A validator accepting only the values of ``allowed``."""

    def check(value: str) -> str:
        if value not in allowed:
            raise ValueError(f"unknown {what} {value!r}")
        return value

    return check


Count = int | None


class NodeRecord(StateModel):
    """What happened to one node in one run."""

    status: str = Field(description="success, failed, skipped, unchanged (resume), interrupted")
    fingerprint: str = Field("", pattern=FINGERPRINT_PATTERN)
    rows_in: Count = Field(None, ge=0, description="Rows read by the node's read (if counted)")
    rows_out: Count = Field(None, ge=0, description="Rows of the node's output (if counted)")
    rows_written: Count = Field(None, ge=0, description="Rows this run wrote to the target")
    rows_total: Count = Field(
        None, ge=0, description="Rows in the target after the write (if cheap)"
    )
    duration_s: float = Field(0.0, ge=0, allow_inf_nan=False)
    output: str | None = Field(default=None, description="Where the node wrote (connection:path)")
    error: str | None = Field(default=None, description="Redacted error")
    started_at: str | None = None
    finished_at: str | None = None
    run_id: str | None = Field(default=None, description="The run that produced this record")
    environment: str | None = Field(
        default=None, description="Environment key of that run (see odibi_core.state.marks)"
    )
    source_fingerprint: str | None = Field(
        default=None,
        description="What the node's source looked like when it was read (None: no read, or "
        "the source could not tell)",
    )
    columns: list[tuple[str, str]] | None = Field(
        default=None,
        description="Names and types of the node's output at its last success (kept in the "
        "node's effective record only): --resume reads an output back only if they still match",
    )

    _status = field_validator("status")(_one_of(NODE_RECORD_STATUSES, "node status"))
    _times = field_validator("started_at", "finished_at")(_check_time)


class RunRecord(StateModel):
    """One run of one pipeline."""

    run_id: str = Field(min_length=1)
    status: str = Field(description="running, success, failed, interrupted")
    started_at: str
    finished_at: str | None = None
    user: str = ""
    host: str = ""
    pid: int = Field(0, ge=0)
    environment: str | None = None
    odibi_version: str = ""
    nodes: dict[NodeName, NodeRecord] = Field(default_factory=dict)

    _status = field_validator("status")(_one_of(RUN_STATUSES, "run status"))

    @field_validator("started_at")
    @classmethod
    def _start_time(cls, value: str) -> str:
        _check_time(value)
        return value

    _finish_time = field_validator("finished_at")(_check_time)


class HighWaterMark(StateModel):
    """The stored high-water mark of one node in one environment."""

    target: str = Field("", description="connection:path or connection:table the node writes")
    type: str
    value: Any
    run_id: str | None = None
    updated_at: str | None = None

    @model_validator(mode="after")
    def _value_fits_type(self) -> HighWaterMark:
        try:
            decode_mark(self.type, self.value)
        except BadMark as exc:
            raise ValueError(str(exc)) from None
        return self

    _time = field_validator("updated_at")(_check_time)

    def decoded(self) -> Any:
        """The mark's Python value."""
        return decode_mark(self.type, self.value)


class PipelineState(StateModel):
    """Everything state keeps about one pipeline."""

    runs: list[RunRecord] = Field(default_factory=list, description="Oldest first, capped")
    nodes: dict[NodeName, NodeRecord] = Field(
        default_factory=dict, description="Last effective record of each node (what --resume reads)"
    )
    high_water_marks: dict[str, dict[NodeName, HighWaterMark]] = Field(
        default_factory=dict, description="Environment key -> node -> mark"
    )

    @model_validator(mode="after")
    def _consistent(self) -> PipelineState:
        ids = [run.run_id for run in self.runs]
        if len(set(ids)) != len(ids):
            raise ValueError("a run id appears twice in the history")
        return self


class StateDocument(StateModel):
    """The whole state document."""

    version: int = STATE_FORMAT_VERSION
    lineage: str = Field(pattern=LINEAGE_PATTERN)
    serial: int = Field(0, ge=0, le=MAX_SERIAL)
    checksum: str | None = Field(
        None, description="sha256 of the stored bytes (set when written; see state.integrity)"
    )
    project: str | None = None
    pipelines: dict[PipelineName, PipelineState] = Field(default_factory=dict)

    @field_validator("version")
    @classmethod
    def _current_version(cls, value: int) -> int:
        if value != STATE_FORMAT_VERSION:
            raise ValueError(f"version {value} is not {STATE_FORMAT_VERSION}")
        return value

    @classmethod
    def new(cls, project: str | None = None) -> StateDocument:
        """A fresh document with a new random lineage and serial 0."""
        return cls(lineage=uuid.uuid4().hex, serial=0, checksum=None, project=project)

    def pipeline(self, name: str) -> PipelineState:
        """The state of pipeline ``name``, created empty if missing."""
        return self.pipelines.setdefault(name, PipelineState())

    def to_json(self) -> str:
        """Serialise deterministically: fields in model order (header first), dict keys in
        insertion order, two-space indent, one value per line, trailing newline.

        The ``checksum`` is whatever the model holds: stored documents are sealed by
        :func:`odibi_core.state.integrity.seal`.
        """
        return self.model_dump_json(indent=2) + "\n"
