"""The run report's data model: what a run did, node by node, as JSON.

The JSON form is published as a JSON schema (``report.schema.json`` in this package, see
:func:`report_schema`). Readers accept unknown keys so an older ``odibi story`` can read a newer
report. No key of the model is a credential-like name, because the whole document goes through
:func:`odibi_core.redaction.redact_value`, which masks values under such keys.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

REPORT_FORMAT = "odibi.run-report"
"""Value of the ``format`` key of every report."""

REPORT_FORMAT_VERSION = 1
"""Version of the report format; bumped when a key changes meaning or disappears."""

NODE_STATUS_ORDER = ("success", "failed", "skipped", "unchanged", "interrupted")
"""Statuses a node of a finished run can have, in the order reports count them."""


class ReportModel(BaseModel):
    """Base of the report models: unknown keys are kept (reports written by newer versions)."""

    model_config = ConfigDict(extra="allow")


class Column(ReportModel):
    """One column of a schema, with its engine-neutral (Arrow) type name."""

    name: str
    type: str


class ColumnChange(ReportModel):
    """A column present before and after a node, whose type the node changed."""

    name: str
    before: str
    after: str


class Validation(ReportModel):
    """Outcome of one validation rule."""

    rule: str
    passed: bool
    detail: str
    failing_rows: int | None = None


class NodeErrorInfo(ReportModel):
    """Why a node failed: exception class, where and the engine's redacted message (its lines
    kept), the failed step, its SQL with a caret under the place the engine points at, a hint."""

    type: str | None = None
    message: str
    step: int | None = None
    sql: str | None = None
    hint: str | None = None


class Sample(ReportModel):
    """A few output rows of a node (values of ``masked_columns`` shown as the mask,
    ``[REDACTED]``)."""

    columns: list[str]
    rows: list[dict[str, Any]]
    masked_columns: list[str] = Field(default_factory=list)
    failing_rules: list[str] = Field(
        default_factory=list,
        description="Validation rules these rows fail (a failed validation shows failing rows); "
        "empty: the node's first rows",
    )


class ColumnProfile(ReportModel):
    """Null and distinct counts of one output column."""

    name: str
    type: str
    nulls: int
    null_ratio: float
    distinct: int


class Profile(ReportModel):
    """Row count and per-column profile of a node's output (only with ``reports.profile``)."""

    rows: int | None = None
    columns: list[ColumnProfile] = Field(default_factory=list)
    error: str | None = None


class NodeReport(ReportModel):
    """What one node did."""

    name: str
    description: str = ""
    status: str
    layer: int = Field(description="1-based execution layer")
    depends_on: list[str] = Field(default_factory=list)
    started_at: str | None = None
    finished_at: str | None = None
    duration_s: float = 0.0
    rows_in: int | None = None
    rows_out: int | None = None
    rows_written: int | None = Field(
        None, description="Rows this run wrote (for append: the rows added)"
    )
    rows_total: int | None = Field(
        None, description="Rows in the target after the write, when cheap"
    )
    output: str | None = None
    sensitive: bool = False
    fingerprint: str = ""
    skipped_reason: str | None = None
    sql: list[str] = Field(default_factory=list)
    schema_in: list[Column] = Field(
        default_factory=list,
        description="Columns read, or of the upstream outputs for a node without read:",
    )
    schema_out: list[Column] = Field(default_factory=list)
    columns_added: list[str] = Field(default_factory=list)
    columns_removed: list[str] = Field(default_factory=list)
    columns_changed: list[ColumnChange] = Field(default_factory=list)
    validations: list[Validation] = Field(default_factory=list)
    sample: Sample | None = None
    sample_note: str | None = None
    profile: Profile | None = None
    error: NodeErrorInfo | None = None


class Who(ReportModel):
    """Who ran it, where."""

    user: str
    host: str
    pid: int


class PluginVersion(ReportModel):
    """An installed plugin distribution and its status when the run started."""

    name: str
    distribution: str
    version: str
    status: str


class Versions(ReportModel):
    """Versions of Python, odibi-core and every plugin."""

    python: str
    platform: str
    odibi_core: str
    plugins: list[PluginVersion] = Field(default_factory=list)


class Totals(ReportModel):
    """Run totals."""

    nodes: int
    success: int = 0
    failed: int = 0
    skipped: int = 0
    unchanged: int = 0
    interrupted: int = 0
    rows_written: int = Field(
        0, description="Sum of rows_written of the nodes that wrote in this run"
    )
    failed_nodes: list[str] = Field(default_factory=list)


class Graph(ReportModel):
    """The pipeline graph of the nodes that ran: execution layers and dependency edges."""

    layers: list[list[str]]
    edges: list[list[str]] = Field(description="[upstream, downstream] pairs")


class ReportSettings(ReportModel):
    """The ``reports:`` settings in effect for this report."""

    samples: bool
    sample_rows: int
    profile: bool


class RunReport(ReportModel):
    """The whole report of one pipeline run."""

    format: str = REPORT_FORMAT
    format_version: int = REPORT_FORMAT_VERSION
    run_id: str
    project: str
    pipeline: str
    description: str = ""
    status: str
    started_at: str
    finished_at: str
    duration_s: float
    generated_at: str
    environment: str | None = None
    engine: str
    state_backend: str | None = None
    who: Who
    versions: Versions
    settings: ReportSettings
    totals: Totals
    graph: Graph
    nodes: list[NodeReport]

    def node(self, name: str) -> NodeReport:
        """The node called ``name`` (KeyError if none)."""
        for node in self.nodes:
            if node.name == name:
                return node
        raise KeyError(name)


@lru_cache(maxsize=1)
def report_schema() -> dict[str, Any]:
    """The published JSON schema of a report (``report.schema.json`` in this package)."""
    from importlib import resources

    text = (resources.files("odibi_core.reports") / "report.schema.json").read_text(
        encoding="utf-8"
    )
    data: dict[str, Any] = json.loads(text)
    return data
