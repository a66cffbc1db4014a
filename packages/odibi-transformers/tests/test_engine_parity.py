"""Every transformer gives the same rows on duckdb, pandas and spark (one Spark session for all)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from odibi_core.config.models import NodeConfig
from odibi_core.config.transformer_step import TransformerStep
from odibi_core.execution.transformer_steps import run_transformer_step

sys.path.insert(0, str(Path(__file__).parent))
from transformer_cases import CASES, NOT_EXERCISED, OTHER, ROWS, TARGET

SPECS: dict[str, Any] = {}


def _specs() -> dict[str, Any]:
    if not SPECS:
        from odibi_transformers.library import all_transformers

        SPECS.update({s.name: s for s in all_transformers()})
    return SPECS


class _Target:
    """Stands in for the write target of scd2: the engine reads TARGET as the target table."""


def _run(engine: Any, name: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    import odibi_core.execution.transformer_steps as steps

    frame = engine.from_arrow(pa.table(ROWS))
    upstream = {"other": engine.from_arrow(pa.table(OTHER))}
    if name == "fact":
        dims = pa.table({"id": [1, 2], "sk": [10, 20]})
        upstream = {"dims": engine.from_arrow(dims)}
    node = NodeConfig(name="n", read={"connection": "c", "path": "x.csv"})
    original = steps.read_write_target
    steps.read_write_target = lambda *_: engine.from_arrow(pa.table(TARGET))  # type: ignore[assignment]
    try:
        result, _sql = run_transformer_step(
            node,
            engine,
            TransformerStep(transformer=name, params=params),
            frame,
            upstream,
            _specs(),
            {},
        )
    finally:
        steps.read_write_target = original  # type: ignore[assignment]
    table = engine.to_arrow(result).read_all()
    rows = [tuple(_norm(v) for v in row.values()) for row in table.to_pylist()]
    return sorted(rows, key=repr)


def _norm(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 6)
    if hasattr(value, "tzinfo") and getattr(value, "tzinfo", None) is not None:
        return value.replace(tzinfo=None)
    return value


def _engine(kind: str) -> Any:
    if kind == "duckdb":
        from odibi_core.engines.duckdb_engine import DuckDBEngine

        return DuckDBEngine()
    from odibi_core.engines.pandas_engine import PandasEngine

    return PandasEngine()


def test_every_transformer_has_a_case() -> None:
    assert {n for n, _ in CASES} | NOT_EXERCISED == set(_specs())


@pytest.mark.parametrize(
    ("name", "params"), CASES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CASES)]
)
def test_duckdb_and_pandas_agree(name: str, params: dict[str, Any]) -> None:
    duck = _run(_engine("duckdb"), name, params)
    assert duck, f"{name} produced no rows"
    assert _run(_engine("pandas"), name, params) == duck


def test_spark_agrees_with_duckdb_for_every_transformer(spark_session: Any) -> None:
    from odibi_engine_spark.engine import SparkEngine

    os.environ.setdefault("TZ", "UTC")
    spark = SparkEngine(session=spark_session)
    mismatched = []
    for name, params in CASES:
        try:
            got = _run(spark, name, params)
        except Exception as exc:  # collect every failure, one session run
            mismatched.append(f"{name}: {type(exc).__name__}: {str(exc).splitlines()[0][:200]}")
            continue
        want = _run(_engine("duckdb"), name, params)
        if got != want:
            mismatched.append(f"{name}: {got[:2]} != {want[:2]}")
    assert not mismatched, "\n".join(mismatched)
