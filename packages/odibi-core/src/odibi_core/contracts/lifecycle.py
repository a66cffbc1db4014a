"""Context and result objects passed through the lifecycle hooks.

``odibi_run_pipeline`` and ``odibi_run_node`` are pluggy wrappers: a plugin sees the context before
the work, and the result (or the exception) after it. These classes are the stable surface plugins
read; the kernel fills them in.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pathlib import Path

    from odibi_core.config.models import NodeConfig, PipelineConfig, ProjectConfig
    from odibi_core.contracts.engine import Engine
    from odibi_core.contracts.requests import ColumnInfo
    from odibi_core.planning.dag import Plan
    from odibi_core.plugins.loader import PluginInfo

NODE_STATUSES = ("success", "failed", "skipped", "unchanged", "interrupted")
"""``success`` (the node's whole output was computed in this run); ``failed``; ``skipped`` (an
upstream node failed, or the run stopped before the node ran); ``unchanged`` (``--resume``);
``interrupted`` (Ctrl-C or SIGTERM stopped the run before the node finished)."""


@dataclass
class PipelineRunContext:
    """One run of one pipeline, as lifecycle hooks see it.

    Attributes:
        project: The validated project.
        pipeline: The pipeline being run.
        run_id: Unique id of this run (also in state, logs, reports and telemetry).
        engine_name: The engine in use.
        environment: The ``--env`` overlay applied, if any.
        nodes: Names of the nodes selected to run, in execution order.
        attributes: Free space for plugins to share data between their hooks.
    """

    project: ProjectConfig
    pipeline: PipelineConfig
    run_id: str
    engine_name: str
    environment: str | None = None
    nodes: list[str] = field(default_factory=list)
    attributes: dict[str, Any] = field(default_factory=dict)
    work: Callable[[], RunResult] | None = field(default=None, repr=False)
    """The kernel's own execution of the run (called by its innermost hook implementation)."""


@dataclass
class NodeRunContext:
    """One node execution inside a pipeline run.

    Attributes:
        run: The pipeline run this node belongs to.
        node: The node's validated config.
        engine: The run's engine.
        fingerprint: Config fingerprint of the node (node config + upstream fingerprints).
        attempt: 1 for the first attempt, incremented by retries.
        attributes: Free space for plugins.
    """

    run: PipelineRunContext
    node: NodeConfig
    engine: Engine
    fingerprint: str
    attempt: int = 1
    attributes: dict[str, Any] = field(default_factory=dict)
    work: Callable[[], NodeResult] | None = field(default=None, repr=False)
    """The kernel's own execution of the node (called by its innermost hook implementation)."""


@dataclass
class ValidationOutcome:
    """Result of one validation rule on one node."""

    rule: str
    passed: bool
    detail: str
    failing_rows: int | None = None


@dataclass
class NodeResult:
    """What a node did. Returned through ``odibi_run_node`` (a failure raises instead).

    Attributes:
        name: Node name.
        status: One of :data:`NODE_STATUSES`.
        rows_in: Rows the node's ``read:`` read in this run (when known without an extra pass),
            or ``None``.
        rows_out: Rows of the node's output (counted by its write or validation), or ``None``.
        rows_written: Rows this run wrote to the target (appended rows for ``append``), or
            ``None`` when the node wrote nothing.
        rows_total: Rows in the target after the write, when that is known cheaply, or ``None``.
        duration_s: Wall time of the node.
        output: ``connection:path-or-table`` written, if any.
        error: Redacted error of a failed node: where (``step 2 (sql): ``, ``write: ``) and the
            engine's message, its lines kept.
        error_type: Exception class name for failed nodes.
        error_step: 1-based transform step whose SQL or function failed (``None``: not a step).
        error_sql: The failed step's SQL around the place the engine points at, with a caret
            line under it (``None`` when the engine gave no position).
        error_hint: One line saying what to do about the failure.
        sql: SQL statements the node executed, in order.
        validations: Outcome of each validation rule.
        schema_in / schema_out: Columns read and produced (no data pass needed).
        sample: A few output rows (only when reports ask for samples), masked as configured.
        sample_note: Why ``sample`` is missing (sensitive node, not cheap, mask mismatch).
        sample_failing: The validation rules ``sample``'s rows fail (empty: the node's first rows).
        profile: Per-column null and distinct counts (only when reports ask for profiling).
        skipped_reason: Why the node did not run (``unchanged``/``skipped``).
        source_fingerprint: What the node's source looked like when it was read
            (:meth:`~odibi_core.contracts.connection.Connection.source_fingerprint`); ``None``
            when the node reads nothing or its source cannot tell.
    """

    name: str
    status: str
    rows_in: int | None = None
    rows_out: int | None = None
    duration_s: float = 0.0
    output: str | None = None
    error: str | None = None
    error_type: str | None = None
    error_step: int | None = None
    error_sql: str | None = None
    error_hint: str | None = None
    sql: list[str] = field(default_factory=list)
    validations: list[ValidationOutcome] = field(default_factory=list)
    schema_in: list[ColumnInfo] = field(default_factory=list)
    schema_out: list[ColumnInfo] = field(default_factory=list)
    sample: list[dict[str, Any]] | None = None
    sample_note: str | None = None
    sample_failing: list[str] = field(default_factory=list)
    profile: dict[str, Any] | None = None
    skipped_reason: str | None = None
    started_at: str | None = None
    finished_at: str | None = None
    fingerprint: str = ""
    rows_written: int | None = None
    rows_total: int | None = None
    source_fingerprint: str | None = None


@dataclass
class RunResult:
    """What a pipeline run did, returned through ``odibi_run_pipeline``.

    ``report`` is the HTML run report written after the run (``None`` when reports are off or
    the write failed); it is set after the lifecycle hooks have returned.
    """

    pipeline: str
    run_id: str
    status: str
    started_at: str
    finished_at: str
    duration_s: float
    nodes: dict[str, NodeResult] = field(default_factory=dict)
    order: list[str] = field(default_factory=list)
    report: str | None = None

    @property
    def ok(self) -> bool:
        """``True`` if no node failed and the run was not interrupted."""
        return self.status == "success"

    @property
    def interrupted(self) -> bool:
        """``True`` if Ctrl-C or SIGTERM stopped the run."""
        return self.status == "interrupted"


@dataclass
class FinishedRun:
    """A pipeline run whose result is final, as ``odibi_run_finished`` reporters see it.

    Attributes:
        context: The run's context (project config, pipeline, run id, engine, environment).
        result: What the run did, node by node (samples and profiles included when
            ``reports:`` asks for them).
        plan: The plan it ran: graph (``upstream``), layers and node configs.
        project_dir: Folder of the project file (relative report folders resolve against it).
        state_backend: Name of the state backend in use, if any.
        plugins: Every plugin the run loaded, with distribution and version.
    """

    context: PipelineRunContext
    result: RunResult
    plan: Plan
    project_dir: Path
    state_backend: str | None = None
    plugins: list[PluginInfo] = field(default_factory=list)
