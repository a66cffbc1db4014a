"""Blame: the lazy frames behind a failed query are checked once each, upstream first."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pyarrow as pa
import pytest
from odibi_core.contracts.engine import CURRENT_FRAME_NAME
from odibi_core.engines.duckdb_engine import DuckDBEngine, EngineError
from odibi_core.errors import ConfigError
from odibi_core.execution.blame import LazyNode, find_culprits, worth_blaming
from odibi_core.execution.failure import Phase

BAD = "SELECT id, CAST(name AS INTEGER) AS name FROM this"
GOOD = "SELECT id, upper(name) AS name FROM this"


class CountingEngine(DuckDBEngine):
    """Counts the frames computed on their own."""

    def __init__(self) -> None:
        super().__init__()
        self.computed: list[Any] = []

    def compute(self, frame: Any, aggregates: Any = None) -> dict[str, Any]:
        self.computed.append(frame)
        return super().compute(frame, aggregates)


@pytest.fixture
def engine() -> Iterator[CountingEngine]:
    engine = CountingEngine()
    yield engine
    engine.close()


def lazy(
    engine: DuckDBEngine, name: str, source: Any, *steps: str, upstream: list[str] | None = None
) -> LazyNode:
    phases, frame = [], source
    for number, sql in enumerate(steps, 1):
        frame = engine.sql(sql, {CURRENT_FRAME_NAME: frame})
        phases.append(Phase("sql", step=number, sql=sql, frame=frame))
    return LazyNode(name, frame, phases, upstream or [])


def test_the_first_node_that_does_not_compute_is_blamed_with_its_step(
    engine: CountingEngine,
) -> None:
    source = engine.from_arrow(pa.table({"id": [1], "name": ["a"]}))
    a = lazy(engine, "a", source, GOOD)
    b = lazy(engine, "b", a.frame, GOOD, BAD, "SELECT * FROM this", upstream=["a"])
    c = lazy(engine, "c", b.frame, "SELECT id, name FROM this", upstream=["b"])
    d = lazy(engine, "d", source, GOOD)
    blame = find_culprits(engine, [a, b, c, d], [])
    assert list(blame.culprits) == ["b"]
    assert blame.culprits["b"].phase is not None
    assert blame.culprits["b"].phase.step == 2
    assert (
        isinstance(blame.culprits["b"].error, EngineError)
    )
    assert (
        blame.culprits["b"].error.position is not None
    )
    assert blame.skipped == ["c"]
    assert blame.computed == ["a", "d"]
    # a, b (whole), b step 1, b step 2, d: each once; c is never computed behind its culprit
    assert len(engine.computed) == 5
    assert len({id(f) for f in engine.computed}) == 5


def test_the_failed_nodes_own_step_is_blamed_when_upstream_computes(engine: CountingEngine) -> None:
    source = engine.from_arrow(pa.table({"id": [1], "name": ["a"]}))
    a = lazy(engine, "a", source, GOOD)
    own = lazy(engine, "x", a.frame, GOOD, BAD)
    blame = find_culprits(engine, [a], own.phases, node="x")
    assert not blame.culprits
    assert blame.computed == ["a"]
    assert blame.own is not None
    assert blame.own.node == "x"
    assert blame.own.phase.step == 2


def test_tables_are_never_recomputed(engine: CountingEngine) -> None:
    table = engine.from_arrow(pa.table({"id": [1]}))
    blame = find_culprits(engine, [], [Phase("read", frame=table)], node="x")
    assert blame.own is None
    assert engine.computed == []


@pytest.mark.parametrize(
    ("error", "phase", "expected"),
    [
        (EngineError("Conversion Error", computing=True), None, True),
        (EngineError("Binder Error", computing=False), None, False),
        (ConfigError("deliberate"), None, False),
        (ValueError("from the engine"), Phase("sql", step=1), True),
        (ValueError("from the user's function"), Phase("function", step=1, function="f"), False),
        (KeyboardInterrupt(), None, False),
    ],
)
def test_only_computation_failures_are_worth_blaming(
    error: BaseException, phase: Phase | None, expected: bool
) -> None:
    assert worth_blaming(error, phase) is expected
