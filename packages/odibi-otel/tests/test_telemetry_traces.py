"""Spans of real pipeline runs (duckdb, local CSV -> parquet) through an in-memory exporter."""

from __future__ import annotations

import pytest
from odibi_otel import names
from odibi_otel.plugin import OtelPlugin
from opentelemetry.trace import SpanKind, StatusCode


@pytest.mark.usefixtures("clean_redaction")
def test_run_span_is_the_root_and_every_node_span_its_child_across_worker_threads(
    memory_telemetry, shop_project, run_with
) -> None:
    results = run_with(shop_project, OtelPlugin(memory_telemetry.telemetry), pipelines=["sales"])

    assert results[0].ok
    run = memory_telemetry.span("run sales")
    nodes = [s for s in memory_telemetry.spans() if s.name.startswith("node ")]
    assert sorted(s.name for s in nodes) == [
        "node all_orders",
        "node big_orders",
        "node by_region",
        "node orders",
    ]
    assert run.parent is None
    assert run.kind is SpanKind.INTERNAL
    for span in nodes:
        assert span.parent is not None, span.name
        assert span.parent.span_id == run.context.span_id, span.name
        assert span.context.trace_id == run.context.trace_id
        assert run.start_time <= span.start_time <= span.end_time <= run.end_time


@pytest.mark.usefixtures("clean_redaction")
def test_spans_carry_project_pipeline_node_engine_run_id_rows_and_result(
    memory_telemetry, shop_project, run_with
) -> None:
    results = run_with(shop_project, OtelPlugin(memory_telemetry.telemetry), pipelines=["sales"])

    run_id = results[0].run_id
    run = memory_telemetry.span("run sales").attributes
    assert run[names.PROJECT] == "shop"
    assert run[names.PIPELINE] == "sales"
    assert run[names.ENGINE] == "duckdb"
    assert run[names.RUN_ID] == run_id
    assert run[names.RUN_RESULT] == "success"
    assert run[names.RUN_NODE_COUNT] == 4
    assert run[names.RUN_NODES_FAILED] == 0
    big = memory_telemetry.span("node big_orders")
    assert big.attributes[names.NODE] == "big_orders"
    assert big.attributes[names.RUN_ID] == run_id
    assert big.attributes[names.PROJECT] == "shop"
    assert big.attributes[names.ENGINE] == "duckdb"
    assert big.attributes[names.NODE_RESULT] == "success"
    assert big.attributes[names.ROWS_OUT] == results[0].nodes["big_orders"].rows_out == 26
    assert big.attributes[names.NODE_OUTPUT] == "lake:big_orders.parquet"
    assert big.attributes[names.NODE_ATTEMPT] == 1
    assert big.status.status_code is StatusCode.UNSET
    assert names.ROWS_OUT not in memory_telemetry.span("node orders").attributes  # writes nothing


def test_a_failing_node_sets_error_status_and_error_type_and_the_run_fails(
    memory_telemetry, shop_project, run_with, clean_redaction
) -> None:
    results = run_with(shop_project, OtelPlugin(memory_telemetry.telemetry), pipelines=["broken"])

    assert results[0].status == "failed"
    leaky = memory_telemetry.span("node leaky")
    assert leaky.status.status_code is StatusCode.ERROR
    assert leaky.attributes[names.NODE_RESULT] == "failed"
    assert (
        leaky.attributes[names.ERROR_TYPE] == results[0].nodes["leaky"].error_type == "EngineError"
    )
    run = memory_telemetry.span("run broken")
    assert run.status.status_code is StatusCode.ERROR
    assert run.attributes[names.RUN_RESULT] == "failed"
    assert run.attributes[names.ERROR_TYPE] == "EngineError"
    assert run.attributes[names.RUN_NODES_FAILED] == 1
    assert run.attributes[names.RUN_NODES_SKIPPED] == 1
    # the independent branch still ran and is traced as a success; the skipped node never ran
    assert memory_telemetry.span("node fine").status.status_code is StatusCode.UNSET
    assert "node after_leaky" not in [s.name for s in memory_telemetry.spans()]


def test_exception_event_is_redacted_in_message_stacktrace_and_status(
    memory_telemetry, shop_project, shop_secret, run_with, clean_redaction
) -> None:
    run_with(shop_project, OtelPlugin(memory_telemetry.telemetry), pipelines=["broken"])

    leaky = memory_telemetry.span("node leaky")
    events = [e for e in leaky.events if e.name == "exception"]
    assert len(events) == 1
    event = events[0].attributes
    assert event["exception.type"] == "EngineError"
    assert "Referenced column" in event["exception.message"]  # the message is kept...
    assert "[REDACTED]" in event["exception.message"]  # ...with the secret masked
    assert "Traceback" in event["exception.stacktrace"]
    assert "BinderException" in event["exception.stacktrace"]  # the cause chain is included
    for span in memory_telemetry.spans():
        dumped = (
            repr(dict(span.attributes))
            + repr(span.status.description)
            + "".join(repr(dict(e.attributes)) for e in span.events)
        )
        assert shop_secret not in dumped, span.name


def test_spans_nest_under_a_span_the_host_has_open(
    memory_telemetry, shop_project, run_with, clean_redaction
) -> None:
    tracer = memory_telemetry.telemetry.tracer
    with tracer.start_as_current_span("host job") as host:
        run_with(shop_project, OtelPlugin(memory_telemetry.telemetry), pipelines=["sales"])

    run = memory_telemetry.span("run sales")
    assert run.parent is not None
    assert run.parent.span_id == host.get_span_context().span_id


def test_a_retried_node_gets_one_span_per_attempt(
    memory_telemetry, write_project, run_with
) -> None:
    project = write_project(
        """
        project: flaky
        retry: {max_attempts: 3, initial_delay: 0}
        connections:
          raw: {type: local, base_path: ./data}
        pipelines:
          - pipeline: p
            nodes:
              - name: src
                read: {connection: raw, format: csv, path: x.csv}
              - name: wobbly
                depends_on: [src]
                transform:
                  steps: [{function: wobbly}]
    """,
        files={
            "data/x.csv": "x\n1\n",
            "transforms.py": """
        from odibi_core import transform
        from odibi_core.errors import TransientIOError

        CALLS = []

        @transform(frame="arrow")
        def wobbly(table):
            CALLS.append(1)
            if len(CALLS) < 2:
                raise TransientIOError("network blip")
            return table
    """,
        },
    )

    results = run_with(project, OtelPlugin(memory_telemetry.telemetry))

    assert results[0].ok, results[0].nodes["wobbly"].error
    spans = [s for s in memory_telemetry.spans() if s.name == "node wobbly"]
    assert [s.attributes[names.NODE_ATTEMPT] for s in spans] == [1, 2]
    assert [s.status.status_code for s in spans] == [StatusCode.ERROR, StatusCode.UNSET]
    assert spans[0].attributes[names.ERROR_TYPE] == "TransientIOError"


def test_a_broken_tracer_never_fails_the_run(shop_project, run_with, clean_redaction) -> None:
    from odibi_otel.telemetry import Telemetry

    class BrokenTracer:
        def start_span(self, *args, **kwargs):
            raise RuntimeError("telemetry bug")

    class BrokenProvider:
        def get_tracer(self, *args, **kwargs):
            return BrokenTracer()

    results = run_with(
        shop_project, OtelPlugin(Telemetry(BrokenProvider(), None)), pipelines=["sales", "broken"]
    )

    assert [r.status for r in results] == ["success", "failed"]
    assert results[1].nodes["leaky"].error_type == "EngineError"  # the node's own error is intact


def test_a_node_skipped_because_its_lazy_upstream_is_to_blame_is_not_traced_as_failed(
    memory_telemetry, write_project, run_with
) -> None:
    project = write_project(
        """
        project: blame
        connections:
          raw: {type: local, base_path: ./data}
          lake: {type: local, base_path: ./lake}
        pipelines:
          - pipeline: chain
            nodes:
              - name: orders
                read: {connection: raw, format: csv, path: orders.csv}
              - name: cast
                depends_on: [orders]
                transform: {steps: ["SELECT CAST(region AS INTEGER) AS r FROM orders"]}
              - name: written
                depends_on: [cast]
                write: {connection: lake, format: parquet, path: written.parquet}
        """,
        files={"data/orders.csv": "region\nnorth\n"},
    )
    results = run_with(project, OtelPlugin(memory_telemetry.telemetry))

    assert {n: r.status for n, r in results[0].nodes.items()} == {
        "orders": "success",
        "cast": "failed",
        "written": "skipped",
    }
    written = memory_telemetry.span("node written")
    assert written.attributes[names.NODE_RESULT] == "skipped"
    assert written.status.status_code is StatusCode.UNSET
    run = memory_telemetry.span("run chain")
    assert (
        run.attributes[names.RUN_NODES_FAILED] == 1
    )
    assert (
        run.attributes[names.RUN_NODES_SKIPPED] == 1
    )
