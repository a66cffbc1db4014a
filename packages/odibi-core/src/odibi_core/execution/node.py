"""Execution of one node: read -> transform steps -> validations -> write.

A node succeeds only once its whole output (every column, every row) was computed in this run:
by its write, by its validations (one pass that also touches every column), or, for a node that
nothing reads and that writes nothing, by one pass of its own. A node that only feeds other nodes
is computed inside their queries (that is what keeps a lazy engine fast); its output is reported
as not computed yet (:attr:`NodeOutput.computed`), and the runner settles it when its consumer
finishes. When a computation fails, :mod:`odibi_core.execution.blame` finds the node and step
whose SQL or function does not compute.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from odibi_core.config.models import FunctionStep, NodeConfig, SqlStep, TransformerStep
from odibi_core.contracts.connection import Connection
from odibi_core.contracts.engine import CURRENT_FRAME_NAME, Engine, write_counts
from odibi_core.contracts.lifecycle import NodeResult
from odibi_core.contracts.state import utc_now
from odibi_core.errors import NodeError, RunInterrupted, ValidationFailed
from odibi_core.execution import debug_log
from odibi_core.execution.blame import Blame, LazyNode, find_culprits, worth_blaming
from odibi_core.execution.failure import Phase, describe_failure, step_hint
from odibi_core.execution.formats import FormatDispatch
from odibi_core.execution.sources import read_request, source_fingerprint, write_request
from odibi_core.execution.validation import run_validations
from odibi_core.plugins.types import TransformerSpec, TransformSpec
from odibi_core.reports.failing_rows import observe_failing_rows
from odibi_core.reports.observe import ObserveOptions, observe

if TYPE_CHECKING:
    from odibi_core.execution.cancellation import RunCancellation

logger = logging.getLogger("odibi.run")


@dataclass
class NodeInputs:
    """Everything a node execution needs from the runner.

    Attributes:
        node: The node config.
        engine: The run's engine.
        connections: Connections by name.
        upstream: Output frames of the node's dependencies.
        transforms: Python steps by name.
        high_water_mark: Stored mark of an incremental read (``None``: read everything).
        consumers: Readers of the output (dependents + write + validation); >=2 persists it.
        fingerprint: The node's config fingerprint.
        observe: Sample rows / profile to take for the run report (``None``: nothing).
        full_refresh: ``--full-refresh``: ``append``/``upsert`` writes replace the target.
        formats: Routes plugin formats (``delta``) to their implementation.
        transformers: Registered transformers (``- transformer:`` steps) by name.
        dependents: Selected nodes that read the output.
        lazy_upstream: Upstream nodes whose output this node computes (not computed yet), in
            execution order: checked when this node's computation fails.
        locations: ``file:line`` of the node's read (key 0) and steps (key = step number).
        cancellation: The run's cancellation flag, looked at between the parts of the node.
    """

    node: NodeConfig
    engine: Engine
    connections: Mapping[str, Connection]
    upstream: Mapping[str, Any]
    transforms: Mapping[str, TransformSpec]
    high_water_mark: Any = None
    consumers: int = 0
    fingerprint: str = ""
    observe: ObserveOptions | None = None
    full_refresh: bool = False
    formats: FormatDispatch = field(default_factory=FormatDispatch)
    transformers: Mapping[str, TransformerSpec] = field(default_factory=dict)
    dependents: int = 0
    lazy_upstream: Sequence[LazyNode] = ()
    locations: Mapping[int, str] = field(default_factory=dict)
    cancellation: RunCancellation | None = None


@dataclass
class NodeOutput:
    """A node's result plus the frame it produced and its new high-water mark.

    ``computed`` is ``False`` when the output was not computed by the node itself (it only feeds
    other nodes, which compute it); ``phases`` are the node's read and steps with their frames.
    """

    result: NodeResult
    frame: Any = None
    new_high_water_mark: Any = None
    attributes: dict[str, Any] = field(default_factory=dict)
    phases: list[Phase] = field(default_factory=list)
    computed: bool = True


class UpstreamFailed(NodeError):
    """The node's computation failed because a lazy upstream node's output does not compute.

    ``blame`` says which upstream nodes are to blame; the node itself is recorded as skipped.
    """

    def __init__(self, message: str, *, node: str, blame: Blame) -> None:
        super().__init__(message, node=node)
        self.blame = blame


class NodeInterrupted(NodeError):
    """The run was interrupted (Ctrl-C, SIGTERM) while the node ran; it is recorded as
    interrupted."""


def execute_node(inputs: NodeInputs) -> NodeOutput:
    """Run ``inputs.node``; raise :class:`NodeError` (with ``.result``) if it fails."""
    node, engine = inputs.node, inputs.engine
    result = NodeResult(
        name=node.name, status="running", started_at=utc_now(), fingerprint=inputs.fingerprint
    )
    start = time.perf_counter()
    owned: list[Any] = []
    phases: list[Phase] = []
    where: str | None = "read"
    current: Phase | None = None
    try:
        _check_cancelled(inputs)
        began = time.perf_counter()
        frame, read_frame = _read(inputs, result, owned)
        if node.read is not None:
            debug_log.log_timing(
                node.name,
                "read",
                time.perf_counter() - began,
                result.rows_in,
                lazy=result.rows_in is None,
            )
        if node.read is not None and frame is not None:
            phases.append(Phase("read", frame=frame))
        if frame is not None:
            if node.transform is None:  # the output is what was read: one look serves both
                observe(engine, frame, result, inputs.observe)
            result.schema_in = engine.schema(frame)
        for number, step in enumerate(node.transform.steps if node.transform else [], 1):
            _check_cancelled(inputs)
            current = _phase_of(step, number)
            where = current.describe()
            shown = len(result.sql)
            began = time.perf_counter()
            try:
                frame = _step(inputs, step, frame, result, where)
            finally:
                current = _with_rendered_sql(current, result.sql[shown:])
            if debug_log.enabled():
                debug_log.log_timing(
                    node.name,
                    where,
                    time.perf_counter() - began,
                    lazy=not engine.is_computed(frame),
                )
            owned.append(frame)
            current = replace(current, frame=frame)
            phases.append(current)
        current, where = None, "compute"
        if frame is None:
            raise NodeError(f"node {node.name!r} produced no frame", node=node.name)
        _check_cancelled(inputs)
        if inputs.consumers >= 2:
            persisted = engine.persist(frame)
            if persisted is not frame:
                owned.append(frame)
            frame = persisted
        result.schema_out = engine.schema(frame)
        computed = engine.is_computed(frame)
        if node.validation is not None:
            where = "validation"
            began = time.perf_counter()
            outcomes, rows = run_validations(engine, frame, node.validation)
            debug_log.log_timing(node.name, "validation", time.perf_counter() - began, rows)
            computed = True
            result.validations = outcomes
            result.rows_out = rows
            failed = [o for o in outcomes if not o.passed]
            if failed:
                text = "; ".join(f"{o.rule}: {o.detail}" for o in failed)
                # the report shows rows that fail, not the first rows (when it shows rows at all)
                observe_failing_rows(engine, frame, result, inputs.observe, node.validation, failed)
                if node.validation.on_failure == "fail":
                    observe(engine, frame, result, inputs.observe)  # a profile, or why no rows
                    where = None
                    raise ValidationFailed(
                        f"node {node.name!r} failed validation: {text}", node=node.name
                    )
                logger.warning("node %s: validation warnings: %s", node.name, text)
        new_mark = None
        incremental = node.read.incremental if node.read is not None else None
        if keeps_high_water_mark(node) and read_frame is not None and incremental is not None:
            new_mark = engine.max_value(read_frame, incremental.column)
        if node.write is not None:
            _check_cancelled(inputs)
            where = "write"
            began = time.perf_counter()
            _write(inputs, frame, result)
            debug_log.log_timing(
                node.name, "write", time.perf_counter() - began, result.rows_written
            )
            computed = True
        elif node.validation is None and inputs.dependents == 0:  # nothing else will compute it
            where = "compute"
            if computed:  # an eager engine or a table: counting is cheap
                result.rows_out = engine.count(frame)
            else:
                result.rows_out = int(engine.compute(frame, {"rows": "count(*)"}).get("rows") or 0)
            computed = True
        if result.rows_in is None and node.read is not None and node.transform is None:
            result.rows_in = result.rows_out  # what was read is what was written
        observe(
            engine, frame, result, inputs.observe
        )  # after the write: a sample may read its output
        result.status = "success"
        output = NodeOutput(result, frame, new_mark, phases=phases, computed=computed)
        owned = [f for f in owned if f is not frame]
        return output
    except BaseException as exc:
        error = _failure(inputs, result, exc, where=where, current=current, phases=phases)
        if error is exc:
            raise
        raise error from exc
    finally:
        result.duration_s = round(time.perf_counter() - start, 6)
        result.finished_at = utc_now()
        for frame_to_release in owned:
            engine.release(frame_to_release)


def _check_cancelled(inputs: NodeInputs) -> None:
    if inputs.cancellation is not None:
        inputs.cancellation.check()


def _phase_of(step: SqlStep | FunctionStep | TransformerStep, number: int) -> Phase:
    if isinstance(step, SqlStep):
        return Phase("sql", step=number, sql=step.sql.strip())
    if isinstance(step, TransformerStep):  # its SQL is known once rendered (see _step)
        return Phase("transformer", step=number, function=step.transformer)
    return Phase("function", step=number, function=step.function)


def _with_rendered_sql(phase: Phase, rendered: list[str]) -> Phase:
    """A transformer step's phase with the SQL it rendered (what an error points into)."""
    if phase.kind == "transformer" and rendered:
        return replace(phase, sql=rendered[-1])
    return phase


def _failure(
    inputs: NodeInputs,
    result: NodeResult,
    exc: BaseException,
    *,
    where: str | None,
    current: Phase | None,
    phases: list[Phase],
) -> BaseException:
    """The error to raise for a failed node, with ``result`` filled in (``.result`` attached)."""
    node = inputs.node.name
    cancellation = inputs.cancellation
    if isinstance(exc, (RunInterrupted, KeyboardInterrupt)) or (
        cancellation is not None and cancellation.cancelled
    ):
        result.status = "interrupted"
        reason = cancellation.error().message if cancellation is not None else "run interrupted"
        result.skipped_reason = reason
        error: NodeError = NodeInterrupted(f"node {node!r}: {reason}", node=node)
        error.result = result  # type: ignore[attr-defined]
        return error
    blame = Blame()
    if worth_blaming(exc, current) and (inputs.lazy_upstream or phases):
        blame = find_culprits(inputs.engine, inputs.lazy_upstream, phases, node=node)
    if blame.culprits:
        first = next(iter(blame.culprits))
        result.status = "skipped"
        result.skipped_reason = f"upstream node {first} failed (its rows are computed in this node)"
        error = UpstreamFailed(f"node {node!r}: {result.skipped_reason}", node=node, blame=blame)
    else:
        cause, phase = (
            (blame.own.error, blame.own.phase) if blame.own is not None else (exc, current)
        )
        _fail(
            result,
            cause,
            where=phase.describe() if phase is not None else where,
            phase=phase,
            hint=step_hint(node, phase, inputs.locations.get(phase.step or 0))
            if phase is not None
            else None,
        )
        error = (
            exc
            if isinstance(exc, NodeError) and blame.own is None
            else NodeError(result.error or "", node=node)
        )
        error.error_type = result.error_type  # type: ignore[attr-defined]
    error.result = result  # type: ignore[attr-defined]
    error.computed_upstream = blame.computed  # type: ignore[attr-defined]
    return error


def _fail(
    result: NodeResult,
    exc: BaseException,
    *,
    where: str | None,
    phase: Phase | None,
    hint: str | None,
) -> None:
    """Fill ``result`` with the failure's layout (see :mod:`odibi_core.execution.failure`: the
    message is redacted first, then laid out with its lines kept)."""
    describe_failure(exc, where=where, phase=phase, hint=hint).apply(result)


def _read(inputs: NodeInputs, result: NodeResult, owned: list[Any]) -> tuple[Any, Any]:
    node, engine = inputs.node, inputs.engine
    if node.read is None:
        if len(node.depends_on) == 1:
            return inputs.upstream[node.depends_on[0]], None
        return None, None
    connection = inputs.connections[node.read.connection]
    request = read_request(node, high_water_mark=_incremental_after(inputs))
    assert request is not None
    debug_log.log_read(node.name, connection, request)
    result.source_fingerprint = source_fingerprint(
        connection, request, inputs.formats
    )  # before: see resume.py
    frame = inputs.formats.read(engine, connection, request)
    owned.append(frame)
    if node.read.incremental is not None:
        frame = engine.persist(frame)  # the mark and the write must see the same rows
        owned.append(frame)
    result.rows_in = engine.cheap_count(frame)
    return frame, frame


def keeps_high_water_mark(node: NodeConfig) -> bool:
    """Whether ``node`` reads incrementally past a stored high-water mark (not a rolling window)."""
    incremental = node.read.incremental if node.read is not None else None
    return incremental is not None and incremental.mode == "high_water_mark"


def _incremental_after(inputs: NodeInputs) -> Any:
    incremental = inputs.node.read.incremental if inputs.node.read is not None else None
    if incremental is None:
        return None
    if incremental.mode == "rolling_window":
        from odibi_core.execution.rolling_window import rolling_lower_bound

        return rolling_lower_bound(inputs.node, inputs.connections, formats=inputs.formats)
    return inputs.high_water_mark


def _step(
    inputs: NodeInputs,
    step: SqlStep | FunctionStep | TransformerStep,
    frame: Any,
    result: NodeResult,
    label: str,
) -> Any:
    node, engine = inputs.node, inputs.engine
    if isinstance(step, TransformerStep):
        from odibi_core.execution.transformer_steps import render_transformer_step

        query, tables = render_transformer_step(
            node,
            engine,
            step,
            frame,
            inputs.upstream,
            inputs.transformers,
            inputs.connections,
            inputs.formats,
        )
        result.sql.append(query)  # before it runs: a failure points into it
        debug_log.log_sql(node.name, label, query, list(tables))
        return engine.sql(query, tables)
    if isinstance(step, SqlStep):
        tables = dict(inputs.upstream)
        if frame is not None:
            tables[CURRENT_FRAME_NAME] = frame
        result.sql.append(step.sql.strip())
        debug_log.log_sql(node.name, label, step.sql, list(tables))
        return engine.sql(step.sql, tables)
    spec = inputs.transforms.get(step.function)
    if spec is None:
        from odibi_core.config.suggestions import did_you_mean

        raise NodeError(
            f"node {node.name!r}: unknown Python step {step.function!r}"
            f"{did_you_mean(step.function, inputs.transforms)}",
            node=node.name,
            hint="Define it with @transform in transforms.py beside the project file.",
        )
    return engine.call(spec.func, frame, step.params, frame_kind=spec.frame, inputs=inputs.upstream)


def _write(inputs: NodeInputs, frame: Any, result: NodeResult) -> None:
    write = inputs.node.write
    request = write_request(inputs.node, full_refresh=inputs.full_refresh)
    assert write is not None
    assert request is not None
    connection = inputs.connections[write.connection]
    debug_log.log_write(inputs.node.name, connection, request)
    counts = write_counts(
        inputs.formats.write(inputs.engine, frame, connection, request), request.mode
    )
    result.rows_out = result.rows_written = counts.written
    result.rows_total = counts.total
    result.output = connection.describe(request)
