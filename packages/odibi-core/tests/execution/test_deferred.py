"""Settling lazy nodes when the node that was to compute them finishes."""

from __future__ import annotations

from collections.abc import Iterator

import pyarrow as pa
import pytest
from odibi_core.config.models import PipelineConfig
from odibi_core.contracts.engine import CURRENT_FRAME_NAME
from odibi_core.contracts.lifecycle import NodeResult
from odibi_core.engines.duckdb_engine import DuckDBEngine
from odibi_core.errors import NodeError
from odibi_core.execution.deferred import DeferredOutputs
from odibi_core.execution.failure import Phase
from odibi_core.execution.node import NodeOutput
from odibi_core.planning.dag import build_plan

PIPELINE = PipelineConfig.model_validate(
    {
        "pipeline": "p",
        "nodes": [
            {"name": "src", "read": {"connection": "c", "path": "x.csv"}},
            {"name": "lazy", "depends_on": ["src"], "transform": {"steps": ["SELECT 1"]}},
            {"name": "middle", "depends_on": ["lazy"], "transform": {"steps": ["SELECT 1"]}},
            {"name": "consumer", "depends_on": ["middle"], "transform": {"steps": ["SELECT 1"]}},
        ],
    }
)


@pytest.fixture
def engine() -> Iterator[DuckDBEngine]:
    engine = DuckDBEngine()
    yield engine
    engine.close()


def setup(engine: DuckDBEngine, lazy_sql: str) -> tuple[DeferredOutputs, dict[str, NodeResult]]:
    plan = build_plan(PIPELINE)
    deferred = DeferredOutputs(plan, lambda name: {1: f"odibi.yaml:{len(name)}"})
    source = engine.from_arrow(pa.table({"id": [1, 2], "name": ["a", "b"]}))
    frames = {}
    previous = source
    for name, sql in (("lazy", lazy_sql), ("middle", "SELECT id, name FROM this")):
        frames[name] = engine.sql(sql, {CURRENT_FRAME_NAME: previous})
        deferred.add(
            name,
            NodeOutput(
                NodeResult(name, "success"),
                frames[name],
                phases=[Phase("sql", step=1, sql=sql, frame=frames[name])],
                computed=False,
            ),
        )
        previous = frames[name]
    results = {n: NodeResult(n, "success") for n in plan.order}
    return deferred, results


def test_a_lazy_consumer_passes_its_chain_on(engine: DuckDBEngine) -> None:
    deferred, results = setup(engine, "SELECT id, name FROM this")
    assert deferred.settle("middle", results, engine) == []
    assert [lazy.name for lazy in deferred.chain("consumer")] == ["lazy", "middle"]


def test_a_consumer_that_succeeded_confirms_its_chain(engine: DuckDBEngine) -> None:
    deferred, results = setup(engine, "SELECT id, name FROM this")
    assert deferred.settle("consumer", results, engine) == []
    assert (
        results["lazy"].status == results["middle"].status == "success"
    )
    assert (
        "lazy" not in deferred
    )


def test_when_the_run_goes_on_an_uncomputed_chain_is_computed_on_its_own(
    engine: DuckDBEngine,
) -> None:
    deferred, results = setup(engine, "SELECT id, CAST(name AS INTEGER) AS name FROM this")
    results["consumer"].status = "failed"
    assert deferred.settle("consumer", results, engine) == ["lazy"]
    assert results["lazy"].status == "failed"
    assert results["lazy"].error_step == 1
    assert (results["lazy"].error or "").startswith("step 1 (sql): Conversion Error")
    assert "odibi.yaml:4" in (results["lazy"].error_hint or "")
    assert results["middle"].status == "skipped"
    assert "lazy" in (
        results["middle"].skipped_reason or ""
    )


def test_when_the_run_stops_the_chain_is_marked_not_computed(engine: DuckDBEngine) -> None:
    deferred, results = setup(engine, "SELECT id, name FROM this")
    results["consumer"].status = "failed"
    assert (
        deferred.settle(
            "consumer", results, engine, stop_reason="the run stopped after node x failed"
        )
        == []
    )
    assert {results[n].status for n in ("lazy", "middle")} == {"skipped"}
    assert (
        results["lazy"].skipped_reason
        == "not computed: node consumer, which was to compute it, failed first"
    )


def test_an_interrupted_run_marks_the_chain_interrupted(engine: DuckDBEngine) -> None:
    deferred, results = setup(engine, "SELECT id, name FROM this")
    results["consumer"].status = "interrupted"
    deferred.settle(
        "consumer", results, engine, interrupted_reason="run interrupted by SIGINT (Ctrl-C)"
    )
    assert {results[n].status for n in ("lazy", "middle")} == {"interrupted"}


def test_a_chain_checked_by_the_consumers_blame_is_confirmed(engine: DuckDBEngine) -> None:
    deferred, results = setup(engine, "SELECT id, name FROM this")
    results["consumer"].status = "failed"
    failure = NodeError("consumer: its own SQL failed", node="consumer")
    failure.computed_upstream = ["lazy", "middle"]  # type: ignore[attr-defined]
    assert deferred.settle("consumer", results, engine, error=failure) == []
    assert results["lazy"].status == "success"
