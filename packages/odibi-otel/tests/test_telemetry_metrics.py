"""Metrics of real pipeline runs through an in-memory reader: names, units, buckets, values."""

from __future__ import annotations

import re

import pyarrow.parquet as pq
import pytest
from odibi_otel import names
from odibi_otel.plugin import OtelPlugin

pytestmark = pytest.mark.usefixtures("clean_redaction")


def _by_node(points: list, **match: str) -> dict[str, object]:
    chosen = [p for p in points if all(p.attributes.get(k) == v for k, v in match.items())]
    return {p.attributes[names.NODE]: p for p in chosen}


def test_rows_processed_match_the_rows_written_to_parquet(
    memory_telemetry, shop_project, run_with
) -> None:
    run_with(shop_project, OtelPlugin(memory_telemetry.telemetry), pipelines=["sales"])

    out = _by_node(memory_telemetry.points(names.ROWS_PROCESSED), **{names.ROWS_DIRECTION: "out"})
    lake = shop_project.parent / "lake"
    written = {
        node: pq.read_table(lake / f"{node}.parquet").num_rows
        for node in ("big_orders", "by_region", "all_orders")
    }
    assert written == {"big_orders": 26, "by_region": 3, "all_orders": 30}
    assert {node: point.value for node, point in out.items()} == written


def test_nodes_executed_counts_by_result_and_runs_failed_counts_failed_runs(
    memory_telemetry, shop_project, run_with
) -> None:
    plugin = OtelPlugin(memory_telemetry.telemetry)
    run_with(shop_project, plugin, pipelines=["sales", "broken"])
    run_with(shop_project, plugin, pipelines=["sales"])

    executed = memory_telemetry.points(names.NODES_EXECUTED)
    counts = {
        (
            p.attributes[names.PIPELINE],
            p.attributes[names.NODE],
            p.attributes[names.NODE_RESULT],
        ): p.value
        for p in executed
    }
    assert counts[("sales", "big_orders", "success")] == 2
    assert counts[("broken", "leaky", "failed")] == 1
    assert counts[("broken", "fine", "success")] == 1
    assert ("broken", "after_leaky", "skipped") not in counts  # skipped nodes were not executed
    failed = [p for p in executed if p.attributes[names.NODE_RESULT] == "failed"]
    assert [p.attributes[names.ERROR_TYPE] for p in failed] == ["EngineError"]
    runs_failed = memory_telemetry.points(names.RUNS_FAILED)
    assert [(p.attributes[names.PIPELINE], p.value) for p in runs_failed] == [("broken", 1)]


def test_durations_are_histograms_in_seconds_with_explicit_second_buckets(
    memory_telemetry, shop_project, run_with
) -> None:
    results = run_with(
        shop_project, OtelPlugin(memory_telemetry.telemetry), pipelines=["sales", "broken"]
    )

    metrics = memory_telemetry.metrics()
    for name in (names.NODE_DURATION, names.PIPELINE_DURATION):
        assert metrics[name].unit == "s"
        for point in metrics[name].data.data_points:
            assert tuple(point.explicit_bounds) == names.DURATION_BUCKETS_S
            assert point.count == 1
    runs = {
        p.attributes[names.PIPELINE]: p for p in metrics[names.PIPELINE_DURATION].data.data_points
    }
    for result in results:
        point = runs[result.pipeline]
        assert point.attributes[names.RUN_RESULT] == result.status
        assert point.sum == pytest.approx(result.duration_s, abs=0.25)  # seconds, not milliseconds
    assert runs["broken"].attributes[names.ERROR_TYPE] == "EngineError"
    node_points = _by_node(
        list(metrics[names.NODE_DURATION].data.data_points), **{names.PIPELINE: "sales"}
    )
    assert node_points["big_orders"].sum == pytest.approx(
        results[0].nodes["big_orders"].duration_s, abs=0.25
    )


def test_metric_names_follow_opentelemetry_naming_and_carry_no_run_id(
    memory_telemetry, shop_project, run_with
) -> None:
    run_with(shop_project, OtelPlugin(memory_telemetry.telemetry), pipelines=["sales", "broken"])

    metrics = memory_telemetry.metrics()
    assert set(metrics) == {
        names.NODES_EXECUTED,
        names.ROWS_PROCESSED,
        names.NODE_DURATION,
        names.PIPELINE_DURATION,
        names.RUNS_FAILED,
    }
    for name, metric in metrics.items():
        assert re.fullmatch(r"odibi(\.[a-z_]+)+", name), name
        assert not name.endswith(("_total", ".total")), name
        assert metric.unit, name
        for point in metric.data.data_points:
            assert names.RUN_ID not in point.attributes, name
    assert metrics[names.ROWS_PROCESSED].unit == "{row}"
    assert metrics[names.NODES_EXECUTED].unit == "{node}"
    assert metrics[names.RUNS_FAILED].unit == "{run}"


def test_node_metric_exemplars_point_at_the_node_span(
    memory_telemetry, shop_project, run_with
) -> None:
    run_with(shop_project, OtelPlugin(memory_telemetry.telemetry), pipelines=["sales"])

    span = memory_telemetry.span("node big_orders")
    point = _by_node(memory_telemetry.points(names.NODE_DURATION))["big_orders"]
    assert [e.span_id for e in point.exemplars] == [span.context.span_id]
    assert point.exemplars[0].trace_id == span.context.trace_id


def test_node_counters_are_cumulative_across_collections(
    memory_telemetry, shop_project, run_with
) -> None:
    plugin = OtelPlugin(memory_telemetry.telemetry)
    sums = []
    for _ in range(3):
        run_with(shop_project, plugin, pipelines=["sales"])
        executed = _by_node(memory_telemetry.points(names.NODES_EXECUTED))
        rows = _by_node(
            memory_telemetry.points(names.ROWS_PROCESSED), **{names.ROWS_DIRECTION: "out"}
        )
        sums.append((executed["big_orders"].value, rows["big_orders"].value))
        assert memory_telemetry.metrics()[names.NODES_EXECUTED].data.is_monotonic

    assert sums == [(1, 26), (2, 52), (3, 78)]


def test_a_tally_read_while_nodes_add_loses_and_invents_nothing() -> None:
    """Collections run in the SDK's exporting thread while nodes add on theirs: every sum a
    collection sees is one the adds went through, and the last one is the exact total."""
    import random
    import threading
    from collections import Counter

    from odibi_otel.telemetry import Tally

    rng = random.Random(18)
    tally = Tally()
    keys = [{names.NODE: f"n{i}", names.NODE_RESULT: r} for i in range(7) for r in ("ok", "x")]
    adds = [(rng.choice(keys), rng.randint(0, 1000)) for _ in range(20_000)]
    expected = Counter()
    for attributes, amount in adds:
        expected[tuple(attributes.items())] += amount
    seen: list[dict[tuple, int]] = []
    done = threading.Event()

    def collect() -> None:
        while not done.is_set():
            seen.append({tuple(o.attributes.items()): o.value for o in tally.observe()})

    reader = threading.Thread(target=collect)
    reader.start()
    workers = [
        threading.Thread(target=lambda part=part: [tally.add(n, a) for a, n in part])
        for part in (adds[0::2], adds[1::2])
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    done.set()
    reader.join()

    final = {tuple(o.attributes.items()): o.value for o in tally.observe()}
    assert final == dict(expected)
    assert len(seen) > 1
    for earlier, later in zip(seen, [*seen[1:], final], strict=True):  # never goes down
        assert all(later.get(key, 0) >= value for key, value in earlier.items())
