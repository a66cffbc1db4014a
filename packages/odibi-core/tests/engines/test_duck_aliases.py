"""A SQL step of the duckdb engine gets alias views only for the tables its query names; a query
that fails, or names a table some other way, still meets every table it was given."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from odibi_core.contracts.engine import CURRENT_FRAME_NAME
from odibi_core.engines.duck_aliases import split_named
from odibi_core.engines.duck_frames import DuckFrame
from odibi_core.engines.duckdb_engine import DuckDBEngine, DuckDBOptions, EngineError


@pytest.fixture
def engine() -> Iterator[DuckDBEngine]:
    engine = DuckDBEngine()
    yield engine
    engine.close()


def views_in(engine: DuckDBEngine, frame: DuckFrame) -> set[str]:
    rows = engine._con.execute(
        "SELECT view_name FROM duckdb_views() WHERE schema_name = ?", [frame.schema]
    ).fetchall()
    return {name for (name,) in rows}


def test_split_named_matches_names_in_any_case_and_keeps_the_order() -> None:
    tables = {"this": 0, "Orders": 1, "customers": 2, "lines": 3}
    named, unnamed = split_named(tables, 'SELECT * FROM "ORDERS" JOIN customers USING (id)')
    assert list(named) == ["Orders", "customers"]
    assert list(unnamed) == ["this", "lines"]


def test_split_named_errs_on_the_side_of_naming() -> None:
    # a name inside a comment or a longer word may be a table the query reads: it counts
    named, unnamed = split_named({"this": 0, "or": 1}, "SELECT 1 -- not this\nFROM orders")
    assert list(named) == ["this", "or"]
    assert not unnamed


def test_only_the_tables_a_query_names_get_a_view(engine: DuckDBEngine) -> None:
    orders = engine.sql("SELECT 1 AS id, 2 AS amount", {})
    tables = {CURRENT_FRAME_NAME: orders, "orders": orders}
    step = engine.sql("SELECT id, amount FROM orders", tables)
    assert views_in(engine, step) == {"orders", "odibi_result"}
    again = engine.sql("SELECT amount FROM this", {CURRENT_FRAME_NAME: step, "orders": orders})
    assert views_in(engine, again) == {CURRENT_FRAME_NAME, "odibi_result"}
    assert [c.name for c in engine.schema(again)] == ["amount"]


def test_a_failing_query_meets_every_table_so_its_error_suggests_them(
    engine: DuckDBEngine,
) -> None:
    orders = engine.sql("SELECT 1 AS id", {})
    with pytest.raises(EngineError, match='Did you mean "orders"'):
        engine.sql("SELECT * FROM ordrs", {CURRENT_FRAME_NAME: orders, "orders": orders})


def test_a_table_named_by_a_string_built_in_the_query_is_the_steps_own(
    engine: DuckDBEngine,
) -> None:
    engine._con.execute("CREATE TABLE main.orders AS SELECT 99 AS id")
    orders = engine.sql("SELECT 7 AS id", {})
    step = engine.sql("SELECT * FROM query_table('ord' || 'ers')", {"orders": orders})
    assert engine.compute(step, {"total": "sum(id)"}) == {"total": 7}


def test_split_named_counts_every_table_when_the_query_builds_a_name() -> None:
    named, unnamed = split_named({"this": 0, "orders": 1}, "FROM QUERY ('FROM ' || 'x')")
    assert list(named) == ["this", "orders"]
    assert not unnamed


def test_with_a_database_file_every_table_gets_its_view(tmp_path: Path) -> None:
    engine = DuckDBEngine(DuckDBOptions(database=str(tmp_path / "user.duckdb")))
    try:
        orders = engine.sql("SELECT 1 AS id", {})
        step = engine.sql("SELECT id FROM orders", {CURRENT_FRAME_NAME: orders, "orders": orders})
        assert views_in(engine, step) == {CURRENT_FRAME_NAME, "orders", "odibi_result"}
    finally:
        engine.close()


def test_a_step_reads_its_own_tables_before_a_table_of_the_same_name_in_main(
    engine: DuckDBEngine,
) -> None:
    engine._con.execute("CREATE TABLE main.orders AS SELECT 99 AS id")
    orders = engine.sql("SELECT 7 AS id", {})
    step = engine.sql("SELECT id FROM orders", {"orders": orders})
    assert engine.compute(step, {"ids": "max(id)"}) == {"ids": 7}
    assert engine._query_few(engine._cursor(), f"SELECT id FROM {step.ref}").rows == ((7,),)
