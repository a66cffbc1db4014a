"""Spans and metrics around one pipeline run and one node execution.

:class:`Telemetry` holds a tracer and the instruments of a tracer/meter provider pair (either the
host application's or the ones odibi-otel installed) and provides the two generator bodies the
lifecycle wrappers delegate to. Failures of telemetry itself are logged at debug level and never
reach the run; the run's own exception always propagates unchanged.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Generator
from typing import TYPE_CHECKING, Any

from odibi_otel import names
from odibi_otel.events import exception_event_attributes, redacted

if TYPE_CHECKING:
    from odibi_core.plugin import NodeResult, NodeRunContext, PipelineRunContext, RunResult
    from opentelemetry.metrics import MeterProvider
    from opentelemetry.trace import Span, TracerProvider

logger = logging.getLogger("odibi.otel")


class Telemetry:
    """Traces and measures runs through the given providers.

    Args:
        tracer_provider: Where spans go (``None``: no spans).
        meter_provider: Where metrics go (``None``: no metrics).
    """

    def __init__(
        self, tracer_provider: TracerProvider | None, meter_provider: MeterProvider | None
    ) -> None:
        from opentelemetry import context as otel_context
        from opentelemetry.trace import set_span_in_context

        from odibi_otel import __version__

        self.tracer = (
            tracer_provider.get_tracer(names.INSTRUMENTATION_SCOPE, __version__)
            if tracer_provider
            else None
        )
        self.instruments = Instruments(meter_provider) if meter_provider is not None else None
        self._context_attach = otel_context.attach
        self._context_detach = otel_context.detach
        self._in_context = set_span_in_context

    def pipeline(self, context: PipelineRunContext) -> Generator[None, RunResult, RunResult]:
        """Wrap one pipeline run: the body of the ``odibi_run_pipeline`` wrapper."""
        started = _guard(self._start_pipeline, context)
        span, token, attributes, log_context = started or (None, None, {}, None)
        start = time.perf_counter()
        try:
            result = yield
        except BaseException as exc:
            _guard(self._pipeline_raised, span, attributes, exc, time.perf_counter() - start)
            _guard(self._restore, token, log_context)
            raise
        _guard(self._pipeline_done, span, attributes, result, time.perf_counter() - start)
        _guard(self._restore, token, log_context)
        return result

    def node(self, context: NodeRunContext) -> Generator[None, NodeResult, NodeResult]:
        """Wrap one node execution: the body of the ``odibi_run_node`` wrapper.

        Metrics are recorded while the node's span is still current, so an exemplar the SDK
        keeps points at the node's span.
        """
        span, token, attributes = _guard(self._start_node, context) or (None, None, {})
        start = time.perf_counter()
        try:
            result = yield
        except BaseException as exc:
            _guard(self._node_raised, span, attributes, exc, time.perf_counter() - start)
            _guard(self._restore, token, None)
            raise
        _guard(self._node_done, span, attributes, result, time.perf_counter() - start)
        _guard(self._restore, token, None)
        return result

    def _restore(self, token: Any, log_context: Any) -> None:
        if log_context is not None:
            log_context.__exit__(None, None, None)
        if token is not None:
            self._context_detach(token)

    # --- pipeline -------------------------------------------------------------------------

    def _start_pipeline(self, context: PipelineRunContext) -> tuple[Any, Any, dict[str, Any], Any]:
        attributes = {
            names.PROJECT: context.project.project,
            names.PIPELINE: context.pipeline.pipeline,
            names.ENGINE: context.engine_name,
        }
        if self.tracer is None:
            return None, None, attributes, None
        span_attributes: dict[str, Any] = {
            **attributes,
            names.RUN_ID: context.run_id,
            names.RUN_NODE_COUNT: len(context.nodes),
        }
        if context.environment:
            span_attributes[names.ENVIRONMENT] = context.environment
        span = self.tracer.start_span(
            names.RUN_SPAN_PREFIX + context.pipeline.pipeline, attributes=span_attributes
        )
        token = self._context_attach(self._in_context(span))
        log_context = _bind_trace_id(span)
        return span, token, attributes, log_context

    def _pipeline_done(
        self, span: Span | None, attributes: dict[str, Any], result: RunResult, elapsed: float
    ) -> None:
        statuses = [node.status for node in result.nodes.values()]
        failed = [node for node in result.nodes.values() if node.status == "failed"]
        error_type = (failed[0].error_type or "NodeError") if failed else None
        outcome = {names.RUN_RESULT: result.status}
        if error_type is not None:
            outcome[names.ERROR_TYPE] = error_type
        if span is not None:
            span.set_attributes(
                {
                    **outcome,
                    names.RUN_NODES_FAILED: len(failed),
                    names.RUN_NODES_SKIPPED: statuses.count("skipped"),
                    names.RUN_NODES_UNCHANGED: statuses.count("unchanged"),
                }
            )
            if failed:
                _set_error(span, f"{len(failed)} node(s) failed, first: {failed[0].name}")
            span.end()
        if self.instruments is not None:
            self.instruments.pipeline_finished(
                {**attributes, **outcome}, elapsed, failed=bool(failed)
            )

    def _pipeline_raised(
        self, span: Span | None, attributes: dict[str, Any], exc: BaseException, elapsed: float
    ) -> None:
        outcome = {names.RUN_RESULT: "failed", names.ERROR_TYPE: type(exc).__name__}
        if span is not None:
            span.set_attributes(outcome)
            span.add_event("exception", exception_event_attributes(exc, type(exc).__name__))
            _set_error(span, str(exc) or type(exc).__name__)
            span.end()
        if self.instruments is not None:
            self.instruments.pipeline_finished({**attributes, **outcome}, elapsed, failed=True)

    # --- node -----------------------------------------------------------------------------

    def _start_node(self, context: NodeRunContext) -> tuple[Any, Any, dict[str, Any]]:
        run = context.run
        attributes = {
            names.PROJECT: run.project.project,
            names.PIPELINE: run.pipeline.pipeline,
            names.NODE: context.node.name,
            names.ENGINE: run.engine_name,
        }
        if self.tracer is None:
            return None, None, attributes
        span = self.tracer.start_span(
            names.NODE_SPAN_PREFIX + context.node.name,
            attributes={
                **attributes,
                names.RUN_ID: run.run_id,
                names.NODE_ATTEMPT: context.attempt,
            },
        )
        return span, self._context_attach(self._in_context(span)), attributes

    def _node_done(
        self, span: Span | None, attributes: dict[str, Any], result: NodeResult, elapsed: float
    ) -> None:
        outcome = {names.NODE_RESULT: result.status}
        if span is not None:
            span.set_attributes({**outcome, **_rows_and_output(result)})
            span.end()
        if self.instruments is not None:
            self.instruments.node_finished(
                {**attributes, **outcome}, elapsed, result.rows_in, result.rows_out
            )

    def _node_raised(
        self, span: Span | None, attributes: dict[str, Any], exc: BaseException, elapsed: float
    ) -> None:
        result: NodeResult | None = getattr(exc, "result", None)
        if result is not None and result.status in ("skipped", "interrupted"):
            # not a failure of this node: an upstream node is to blame, or the run was stopped
            self._node_done(span, attributes, result, elapsed)
            return
        error_type = (
            getattr(exc, "error_type", None)
            or getattr(result, "error_type", None)
            or type(exc).__name__
        )
        outcome = {names.NODE_RESULT: "failed", names.ERROR_TYPE: error_type}
        if span is not None:
            span.set_attributes(
                {**outcome, **(_rows_and_output(result) if result is not None else {})}
            )
            span.add_event("exception", exception_event_attributes(exc, error_type))
            _set_error(
                span, (result.error if result is not None else None) or str(exc) or error_type
            )
            span.end()
        if self.instruments is not None:
            rows_in = result.rows_in if result is not None else None
            rows_out = result.rows_out if result is not None else None
            self.instruments.node_finished({**attributes, **outcome}, elapsed, rows_in, rows_out)


class Instruments:
    """The metric instruments of one meter (see :mod:`odibi_otel.names`).

    The per-node counters (``odibi.nodes.executed``, ``odibi.rows.processed``) are observable
    counters over a :class:`Tally`: a node adds to a plain dictionary, and the SDK reads the
    sums when it collects (in its exporting thread, or at the exit flush). The wire format is
    the same monotonic sum a synchronous counter exports; what the run no longer pays for is
    the SDK's per-measurement work (attribute cleaning and hashing, exemplar offers), two
    thirds of the metric cost of a node. The node duration histogram stays synchronous,
    recorded while the node's span is current, so its exemplars point at the span.
    """

    def __init__(self, meter_provider: MeterProvider) -> None:
        from odibi_otel import __version__

        meter = meter_provider.get_meter(names.INSTRUMENTATION_SCOPE, __version__)
        self.nodes_executed = Tally()
        self.rows_processed = Tally()
        meter.create_observable_counter(
            names.NODES_EXECUTED,
            callbacks=[self.nodes_executed.observe],
            unit=names.NODES_EXECUTED_UNIT,
            description="Node executions, by result.",
        )
        meter.create_observable_counter(
            names.ROWS_PROCESSED,
            callbacks=[self.rows_processed.observe],
            unit=names.ROWS_PROCESSED_UNIT,
            description="Rows nodes read (direction in, when known) and produced or wrote (out).",
        )
        self.node_duration = _histogram(
            meter, names.NODE_DURATION, "Wall time of one node execution."
        )
        self.pipeline_duration = _histogram(
            meter, names.PIPELINE_DURATION, "Wall time of one pipeline run."
        )
        self.runs_failed = meter.create_counter(
            names.RUNS_FAILED, unit=names.RUNS_FAILED_UNIT, description="Pipeline runs that failed."
        )

    def node_finished(
        self, attributes: dict[str, Any], elapsed: float, rows_in: int | None, rows_out: int | None
    ) -> None:
        """Record one node execution."""
        self.nodes_executed.add(1, attributes)
        self.node_duration.record(elapsed, attributes)
        if rows_in or rows_out:
            base = {
                k: v
                for k, v in attributes.items()
                if k not in (names.NODE_RESULT, names.ERROR_TYPE)
            }
            if rows_in:
                self.rows_processed.add(rows_in, {**base, names.ROWS_DIRECTION: "in"})
            if rows_out:
                self.rows_processed.add(rows_out, {**base, names.ROWS_DIRECTION: "out"})

    def pipeline_finished(
        self, attributes: dict[str, Any], elapsed: float, *, failed: bool
    ) -> None:
        """Record one pipeline run."""
        self.pipeline_duration.record(elapsed, attributes)
        if failed:
            self.runs_failed.add(1, attributes)


class Tally:
    """Cumulative sums by attribute set, read by an observable counter when the SDK collects.

    ``add`` is a dictionary update under a lock (the SDK's collection runs in another thread);
    ``observe`` is the counter's callback and returns every sum so far, as a cumulative
    observation per attribute set.
    """

    def __init__(self) -> None:
        self._sums: dict[tuple[tuple[str, Any], ...], list[Any]] = {}
        self._lock = threading.Lock()

    def add(self, amount: int, attributes: dict[str, Any]) -> None:
        """Add ``amount`` to the sum of ``attributes`` (a non-negative amount)."""
        key = tuple(attributes.items())
        with self._lock:
            entry = self._sums.get(key)
            if entry is None:
                self._sums[key] = [dict(attributes), amount]
            else:
                entry[1] += amount

    def observe(self, options: Any = None) -> list[Any]:
        """The observable counter's callback: one observation per attribute set seen."""
        from opentelemetry.metrics import Observation

        with self._lock:
            sums = [(attributes, total) for attributes, total in self._sums.values()]
        return [Observation(total, attributes) for attributes, total in sums]


def _histogram(meter: Any, name: str, description: str) -> Any:
    try:
        return meter.create_histogram(
            name,
            unit=names.DURATION_UNIT,
            description=description,
            explicit_bucket_boundaries_advisory=list(names.DURATION_BUCKETS_S),
        )
    except TypeError:  # an API older than 1.23 has no advisory; the buckets then come from views
        return meter.create_histogram(name, unit=names.DURATION_UNIT, description=description)


def _rows_and_output(result: NodeResult) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if result.rows_in is not None:
        values[names.ROWS_IN] = result.rows_in
    if result.rows_out is not None:
        values[names.ROWS_OUT] = result.rows_out
    if result.output:
        values[names.NODE_OUTPUT] = redacted(result.output)
    return values


def _set_error(span: Span, description: str) -> None:
    from opentelemetry.trace import Status, StatusCode

    span.set_status(Status(StatusCode.ERROR, redacted(description)[:500]))


def _bind_trace_id(span: Span) -> Any:
    """Put the trace id into Odibi's log context so JSON logs can be joined with traces."""
    from odibi_core.logs import bind_log_context

    span_context = span.get_span_context()
    if not span_context.is_valid:
        return None
    manager = bind_log_context(trace_id=format(span_context.trace_id, "032x"))
    manager.__enter__()
    return manager


def _guard(step: Any, *args: Any) -> Any:
    """Run a telemetry step; a bug in it is logged at debug level, never raised into the run."""
    try:
        return step(*args)
    except Exception:
        logger.debug("telemetry step %s failed", getattr(step, "__name__", step), exc_info=True)
        return None
