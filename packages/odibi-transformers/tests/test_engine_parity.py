"""Every transformer gives the same rows on duckdb, pandas and spark.

Each case runs through the real step path (:func:`run_transformer_step`): the transformers that
rewrite a write target (``scd2``) read it from a real Parquet file on a local connection. Each
engine loads the input frames once. Spark shares the test run's session and runs one collecting
job per case (collecting every case's rows in one unioned job was measured: it is no faster).
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from odibi_core.config.models import NodeConfig
from odibi_core.config.transformer_step import TransformerStep
from odibi_core.connections.local import LocalConnection
from odibi_core.contracts.connection import Connection
from odibi_core.execution.transformer_steps import run_transformer_step

sys.path.insert(0, str(Path(__file__).parent))
from transformer_cases import CASES, LIST_CASES, LIST_ROWS, OTHER, ROWS, TARGET

ALL_CASES = [*CASES, *LIST_CASES]
CASE_IDS = [f"{name}-{i}" for i, (name, _) in enumerate(ALL_CASES)]
DIMS = {"id": [1, 2], "sk": [10, 20]}
NODE = NodeConfig(
    name="n",
    read={"connection": "lake", "path": "in.csv"},
    write={"connection": "lake", "path": "target.parquet", "format": "parquet"},
)
"""The node every case runs in; its write target is ``target.parquet`` (the scd2 history)."""

SPECS: dict[str, Any] = {}


def _specs() -> dict[str, Any]:
    if not SPECS:
        from odibi_transformers.library import all_transformers

        SPECS.update({s.name: s for s in all_transformers()})
    return SPECS


@pytest.fixture(scope="module")
def connections(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Connection]:
    """A local connection holding the write target of ``NODE`` (scd2 reads it back)."""
    import pyarrow.parquet as pq

    root = tmp_path_factory.mktemp("transformer-parity")
    target = pa.table(TARGET)  # typed as a run writes it: valid_to is a timestamp, not all-null
    valid_to = pa.array(TARGET["valid_to"], pa.timestamp("us"))
    target = target.set_column(target.schema.get_field_index("valid_to"), "valid_to", valid_to)
    pq.write_table(target, root / "target.parquet")
    return {"lake": LocalConnection("lake", root)}


def _frames(engine: Any) -> dict[str, Any]:
    """The input frames, loaded once per engine."""
    tables = {"rows": ROWS, "lists": LIST_ROWS, "other": OTHER, "dims": DIMS}
    return {name: engine.from_arrow(pa.table(data)) for name, data in tables.items()}


def _step(
    engine: Any,
    frames: dict[str, Any],
    name: str,
    params: dict[str, Any],
    connections: dict[str, Connection],
) -> Any:
    """The case's result frame, built by the step runner exactly as a node would."""
    current = frames["lists"] if name == "explode_list_column" else frames["rows"]
    upstream = {"dims": frames["dims"]} if name == "fact" else {"other": frames["other"]}
    step = TransformerStep(transformer=name, params=params)
    result, _sql = run_transformer_step(
        NODE, engine, step, current, upstream, _specs(), connections
    )
    return result


def _norm(value: Any) -> Any:
    if isinstance(value, Decimal):
        value = float(value)
    if isinstance(value, float):
        return round(value, 6)
    if isinstance(value, list):
        return tuple(_norm(v) for v in value)
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.replace(tzinfo=None)
    return value


def _sorted(rows: Iterator[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    return sorted(rows, key=repr)


def _arrow_rows(engine: Any, frame: Any) -> list[tuple[Any, ...]]:
    table = engine.to_arrow(frame).read_all()
    return _sorted(tuple(_norm(v) for v in row.values()) for row in table.to_pylist())


@pytest.fixture(scope="module")
def duckdb_engine() -> Iterator[Any]:
    """One duckdb engine and its input frames for every case."""
    from odibi_core.engines.duckdb_engine import DuckDBEngine

    engine = DuckDBEngine()
    yield engine, _frames(engine)
    engine.close()


@pytest.fixture(scope="module")
def pandas_engine() -> Iterator[Any]:
    """One pandas engine and its input frames for every case."""
    from odibi_engine_pandas.engine import PandasEngine

    engine = PandasEngine()
    yield engine, _frames(engine)
    engine.close()


def _duckdb_rows(duckdb_engine: Any, name: str, params: dict[str, Any], connections: Any) -> Any:
    engine, frames = duckdb_engine
    return _arrow_rows(engine, _step(engine, frames, name, params, connections))


def test_every_transformer_has_a_case() -> None:
    assert {n for n, _ in ALL_CASES} == set(_specs())


@pytest.mark.parametrize(("name", "params"), ALL_CASES, ids=CASE_IDS)
def test_duckdb_and_pandas_agree(
    name: str,
    params: dict[str, Any],
    duckdb_engine: Any,
    pandas_engine: Any,
    connections: dict[str, Connection],
) -> None:
    duck = _duckdb_rows(duckdb_engine, name, params, connections)
    assert duck, f"{name} produced no rows"
    engine, frames = pandas_engine
    assert _arrow_rows(engine, _step(engine, frames, name, params, connections)) == duck


def test_scd2_reads_the_existing_target_through_the_connection(
    duckdb_engine: Any, connections: dict[str, Connection]
) -> None:
    params = {"keys": ["id"], "track_cols": ["name"], "effective_time_col": "updated_at"}
    rows = _duckdb_rows(duckdb_engine, "scd2", params, connections)
    # id 3 changed name ("old" -> None): its old version is closed and kept, a new one is current
    names_of_3 = sorted(repr(r[1]) for r in rows if r[0] == 3)
    assert names_of_3 == ["'old'", "None"]


# --- spark: the test run's session, one collecting job per case ------------------------------


@pytest.mark.spark
def test_spark_agrees_with_duckdb_for_every_transformer(
    spark_session: Any, duckdb_engine: Any, connections: dict[str, Connection]
) -> None:
    from odibi_engine_spark.engine import SparkEngine

    spark = SparkEngine(session=spark_session)
    frames = _frames(spark)
    mismatched: list[str] = []
    compared = 0
    for case, (name, params) in enumerate(ALL_CASES):
        try:  # every failure is collected, so one run names them all
            got = _arrow_rows(spark, _step(spark, frames, name, params, connections))
        except Exception as exc:
            mismatched.append(f"{CASE_IDS[case]}: {type(exc).__name__}: {str(exc)[:300]}")
            continue
        want = _duckdb_rows(duckdb_engine, name, params, connections)
        if got != want:
            mismatched.append(f"{CASE_IDS[case]}: spark {got[:3]} != duckdb {want[:3]}")
        compared += 1
    spark.close()
    assert not mismatched, "\n".join(mismatched)
    assert compared == len(ALL_CASES)
