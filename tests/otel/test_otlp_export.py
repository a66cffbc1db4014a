"""``odibi run`` as a subprocess, configured only by OTEL_* variables, exports to real receivers.

Both OTLP transports: HTTP (protobuf bodies) and gRPC, each received by a server in this test
that decodes requests with opentelemetry-proto's ExportTraceServiceRequest and
ExportMetricsServiceRequest.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from odibi_core.testing.cli import run_odibi
from odibi_otel.testing.receivers import OtlpGrpcReceiver, OtlpHttpReceiver, attributes_of
from opentelemetry.proto.trace.v1.trace_pb2 import Status

BUCKETS = [
    0.005,
    0.01,
    0.025,
    0.05,
    0.1,
    0.25,
    0.5,
    1.0,
    2.5,
    5.0,
    10.0,
    30.0,
    60.0,
    120.0,
    300.0,
    600.0,
    1800.0,
    3600.0,
]


@pytest.fixture(params=["http/protobuf", "grpc"])
def receiver(request: pytest.FixtureRequest) -> Any:
    """A started receiver for the protocol under test (``.protocol`` says which)."""
    server = OtlpGrpcReceiver() if request.param == "grpc" else OtlpHttpReceiver()
    server.protocol = request.param
    with server:
        yield server


def _run(
    project: Path,
    receiver: Any,
    clean_env: Callable[..., dict[str, str]],
    token: str,
    *pipelines: str,
) -> Any:
    env = clean_env(
        OTEL_EXPORTER_OTLP_ENDPOINT=receiver.endpoint,
        OTEL_EXPORTER_OTLP_PROTOCOL=receiver.protocol,
        OTEL_EXPORTER_OTLP_HEADERS="authorization=" + token.replace(" ", "%20"),
        OTEL_SERVICE_NAME="e2e-etl",
        OTEL_RESOURCE_ATTRIBUTES="deployment.environment=test,team=data",
    )
    args = ["--log-format", "json", "run", str(project)] + [
        a for p in pipelines for a in ("--pipeline", p)
    ]
    return run_odibi(args, env=env, timeout=180)


def test_spans_and_metrics_reach_the_collector(
    e2e_project: Path, receiver: Any, clean_env: Any, otlp_token: str
) -> None:
    proc = _run(e2e_project, receiver, clean_env, otlp_token, "load")

    assert proc.returncode == 0, proc.stderr
    # every export happened before the process exited: the exit flush waited for it
    spans = {s.name: s for s in receiver.spans()}
    assert set(spans) == {"run load", "node items", "node big", "node per_group"}
    run = spans["run load"]
    assert run.parent_span_id == b""
    for name in ("node items", "node big", "node per_group"):
        assert spans[name].parent_span_id == run.span_id, name
        assert spans[name].trace_id == run.trace_id
    run_attrs = attributes_of(run.attributes)
    assert run_attrs["odibi.project.name"] == "e2e"
    assert run_attrs["odibi.pipeline.name"] == "load"
    assert run_attrs["odibi.engine.name"] == "duckdb"
    assert run_attrs["odibi.run.result"] == "success"
    assert run_attrs["odibi.run.id"] in proc.stdout
    big = attributes_of(spans["node big"].attributes)
    assert big["odibi.node.rows_out"] == 20
    assert big["odibi.node.result"] == "success"
    resource = receiver.span_resources()[0]
    assert resource["service.name"] == "e2e-etl"
    assert resource["deployment.environment"] == "test"
    assert resource["team"] == "data"
    assert all(
        h.get("authorization") == otlp_token for h in receiver.headers
    )  # headers reach the collector...
    assert otlp_token not in proc.stdout + proc.stderr  # ...and nowhere else
    assert "telemetry" not in proc.stderr
    logged = [json.loads(line) for line in proc.stderr.splitlines() if line.startswith("{")]
    node_lines = [entry for entry in logged if entry.get("node")]
    assert node_lines, proc.stderr
    assert {entry.get("trace_id") for entry in node_lines} == {
        run.trace_id.hex()
    }  # logs join the trace

    metrics = {m.name: m for m in receiver.metrics()}
    assert set(metrics) == {
        "odibi.nodes.executed",
        "odibi.rows.processed",
        "odibi.node.duration",
        "odibi.pipeline.duration",
    }
    rows = {
        attributes_of(p.attributes)["odibi.node.name"]: p.as_int
        for p in metrics["odibi.rows.processed"].sum.data_points
    }
    lake = e2e_project.parent / "lake"
    assert (
        rows
        == {
            "big": pq.read_table(lake / "big.parquet").num_rows,
            "per_group": pq.read_table(lake / "per_group.parquet").num_rows,
        }
        == {"big": 20, "per_group": 4}
    )
    assert metrics["odibi.rows.processed"].unit == "{row}"
    assert metrics["odibi.rows.processed"].sum.is_monotonic
    executed = metrics["odibi.nodes.executed"]
    assert executed.unit == "{node}"
    assert sum(p.as_int for p in executed.sum.data_points) == 3
    for name in ("odibi.node.duration", "odibi.pipeline.duration"):
        assert metrics[name].unit == "s"
        for point in metrics[name].histogram.data_points:
            assert list(point.explicit_bounds) == BUCKETS
            assert 0 < point.sum < 120  # seconds


def test_a_failing_node_arrives_with_error_status_and_a_redacted_exception_event(
    e2e_project: Path, receiver: Any, clean_env: Any, otlp_token: str, e2e_secret: str
) -> None:
    proc = _run(e2e_project, receiver, clean_env, otlp_token, "leaky")

    assert proc.returncode == 1
    spans = {s.name: s for s in receiver.spans()}
    bad = spans["node bad"]
    assert bad.status.code == Status.STATUS_CODE_ERROR
    assert attributes_of(bad.attributes)["error.type"] == "EngineError"
    events = [attributes_of(e.attributes) for e in bad.events if e.name == "exception"]
    assert len(events) == 1
    assert "Referenced column" in events[0]["exception.message"]
    assert "Traceback" in events[0]["exception.stacktrace"]
    assert spans["run leaky"].status.code == Status.STATUS_CODE_ERROR
    wire = b"".join(
        r.SerializeToString() for r in receiver.trace_requests + receiver.metric_requests
    )
    assert e2e_secret.encode() not in wire
    assert e2e_secret not in proc.stdout + proc.stderr
    failed = [m for m in receiver.metrics() if m.name == "odibi.runs.failed"]
    assert [p.as_int for m in failed for p in m.sum.data_points] == [1]


def test_the_standard_sampler_variables_drop_spans_but_keep_metrics(
    e2e_project: Path, clean_env: Any
) -> None:
    with OtlpHttpReceiver() as receiver:
        env = clean_env(
            OTEL_EXPORTER_OTLP_ENDPOINT=receiver.endpoint,
            OTEL_TRACES_SAMPLER="parentbased_traceidratio",
            OTEL_TRACES_SAMPLER_ARG="0",
        )
        proc = run_odibi(["run", str(e2e_project), "--pipeline", "load"], env=env, timeout=180)

    assert proc.returncode == 0, proc.stderr
    assert receiver.spans() == []
    assert "odibi.nodes.executed" in {m.name for m in receiver.metrics()}
