"""Execution of one node: read -> transform steps -> validations -> write."""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from odibi_core.config.models import FunctionStep, NodeConfig, SqlStep, TransformerStep
from odibi_core.contracts.connection import Connection
from odibi_core.contracts.engine import CURRENT_FRAME_NAME, Engine, write_counts
from odibi_core.contracts.lifecycle import NodeResult
from odibi_core.contracts.state import utc_now
from odibi_core.errors import NodeError, ValidationFailed
from odibi_core.execution.sources import read_request, source_fingerprint, write_request
from odibi_core.execution.formats import FormatDispatch
from odibi_core.execution.validation import run_validations
from odibi_core.plugins.types import TransformerSpec, TransformSpec
from odibi_core.redaction.shorten import one_line
from odibi_core.reports.observe import ObserveOptions, observe

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


@dataclass
class NodeOutput:
    """A node's result plus the frame it produced and its new high-water mark."""

    result: NodeResult
    frame: Any = None
    new_high_water_mark: Any = None
    attributes: dict[str, Any] = field(default_factory=dict)


def execute_node(inputs: NodeInputs) -> NodeOutput:
    """Run ``inputs.node``; raise :class:`NodeError` (with ``.result``) if it fails."""
    node, engine = inputs.node, inputs.engine
    result = NodeResult(name=node.name, status="running", started_at=utc_now(), fingerprint=inputs.fingerprint)
    start = time.perf_counter()
    owned: list[Any] = []
    try:
        frame, read_frame = _read(inputs, result, owned)
        if frame is not None:
            if node.transform is None:  # the output is what was read: one look serves both
                observe(engine, frame, result, inputs.observe)
            result.schema_in = engine.schema(frame)
        for step in node.transform.steps if node.transform else []:
            frame = _step(inputs, step, frame, result)
            owned.append(frame)
        if frame is None:
            raise NodeError(f"node {node.name!r} produced no frame", node=node.name)
        if inputs.consumers >= 2:
            persisted = engine.persist(frame)
            if persisted is not frame:
                owned.append(frame)
            frame = persisted
        result.schema_out = engine.schema(frame)
        if node.validation is not None:
            outcomes, rows = run_validations(engine, frame, node.validation)
            result.validations = outcomes
            result.rows_out = rows
            failed = [o for o in outcomes if not o.passed]
            if failed:
                text = "; ".join(f"{o.rule}: {o.detail}" for o in failed)
                if node.validation.on_failure == "fail":
                    observe(engine, frame, result, inputs.observe)  # the rows that failed to pass
                    raise ValidationFailed(f"node {node.name!r} failed validation: {text}", node=node.name)
                logger.warning("node %s: validation warnings: %s", node.name, text)
        new_mark = None
        if keeps_high_water_mark(node) and read_frame is not None:
            new_mark = engine.max_value(read_frame, node.read.incremental.column)
        if node.write is not None:
            _write(inputs, frame, result)
        if result.rows_in is None and node.read is not None and node.transform is None:
            result.rows_in = result.rows_out  # what was read is what was written
        observe(engine, frame, result, inputs.observe)  # after the write: a sample may read its output
        result.status = "success"
        output = NodeOutput(result, frame, new_mark)
        owned = [f for f in owned if f is not frame]
        return output
    except NodeError as exc:
        _fail(result, exc, start)
        exc.result = result  # type: ignore[attr-defined]
        raise
    except Exception as exc:
        _fail(result, exc, start)
        error = NodeError(result.error or "", node=node.name)
        error.result = result  # type: ignore[attr-defined]
        error.error_type = type(exc).__name__  # type: ignore[attr-defined]
        raise error from exc
    finally:
        result.duration_s = round(time.perf_counter() - start, 6)
        result.finished_at = utc_now()
        for frame_to_release in owned:
            engine.release(frame_to_release)


def _fail(result: NodeResult, exc: BaseException, start: float) -> None:
    result.status = "failed"
    result.error_type = getattr(exc, "error_type", None) or type(exc).__name__
    message = exc.message if isinstance(exc, NodeError) else f"{type(exc).__name__}: {exc}"
    result.error = one_line(message, limit=2000)  # redacted before it is reflowed or cut


def _read(inputs: NodeInputs, result: NodeResult, owned: list[Any]) -> tuple[Any, Any]:
    node, engine = inputs.node, inputs.engine
    if node.read is None:
        if len(node.depends_on) == 1:
            return inputs.upstream[node.depends_on[0]], None
        return None, None
    connection = inputs.connections[node.read.connection]
    request = read_request(node, high_water_mark=_incremental_after(inputs))
    assert request is not None
    result.source_fingerprint = source_fingerprint(connection, request, inputs.formats)  # before: see resume.py
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


def _step(inputs: NodeInputs, step: SqlStep | FunctionStep | TransformerStep, frame: Any,
          result: NodeResult) -> Any:
    node, engine = inputs.node, inputs.engine
    if isinstance(step, TransformerStep):
        from odibi_core.execution.transformer_steps import run_transformer_step

        frame, query = run_transformer_step(
            node, engine, step, frame, inputs.upstream, inputs.transformers, inputs.connections,
            inputs.formats,
        )
        result.sql.append(query)
        return frame
    if isinstance(step, SqlStep):
        tables = dict(inputs.upstream)
        if frame is not None:
            tables[CURRENT_FRAME_NAME] = frame
        result.sql.append(step.sql.strip())
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
    counts = write_counts(inputs.formats.write(inputs.engine, frame, connection, request), request.mode)
    result.rows_out = result.rows_written = counts.written
    result.rows_total = counts.total
    result.output = connection.describe(request)
