"""Writes against the real server: modes, transactions, schema checks, hostile names."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pyarrow as pa
import pyarrow.compute
import pytest
from odibi_connector_postgres.errors import (
    PostgresError,
    PostgresNullKey,
    PostgresSchemaMismatch,
    PostgresTargetNotEmpty,
    PostgresUnsupportedType,
    SourceRowsFailed,
)
from odibi_core.contracts.requests import WriteRequest
from odibi_core.execution.retry import is_transient

pytestmark = pytest.mark.postgres


def frame(ids: list[int], names: list[str | None]) -> pa.RecordBatchReader:
    table = pa.table({"id": pa.array(ids, pa.int64()), "name": pa.array(names, pa.string())})
    return pa.RecordBatchReader.from_batches(table.schema, table.to_batches())


def rows(pg: Any, table: str) -> list[tuple[Any, ...]]:
    return pg.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()


def test_a_missing_table_is_created_from_the_arrow_schema(
    connection: Any, pg: Any, pg_schema: str
) -> None:
    written = connection.write_arrow(
        frame([1, 2], ["a", None]), WriteRequest(table=f"{pg_schema}.t")
    )
    assert written == 2
    assert rows(pg, f"{pg_schema}.t") == [(1, "a"), (2, None)]
    types = pg.execute(
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = %s ORDER BY ordinal_position",
        (pg_schema,),
    ).fetchall()
    assert types == [("id", "bigint"), ("name", "text")]


def test_overwrite_replaces_the_rows_and_keeps_the_table(
    connection: Any, pg: Any, pg_schema: str
) -> None:
    pg.execute(f"CREATE TABLE {pg_schema}.t (id bigint, name text, note text DEFAULT 'kept')")
    pg.execute(f"INSERT INTO {pg_schema}.t VALUES (9, 'old', 'x')")
    connection.write_arrow(
        frame([1], ["new"]), WriteRequest(mode="overwrite", table=f"{pg_schema}.t")
    )
    assert rows(pg, f"{pg_schema}.t") == [(1, "new", "kept")]


def test_append_adds_rows(connection: Any, pg: Any, pg_schema: str) -> None:
    connection.write_arrow(frame([1], ["a"]), WriteRequest(mode="append", table=f"{pg_schema}.t"))
    connection.write_arrow(frame([2], ["b"]), WriteRequest(mode="append", table=f"{pg_schema}.t"))
    assert rows(pg, f"{pg_schema}.t") == [(1, "a"), (2, "b")]


def test_error_mode_writes_an_empty_table_and_refuses_a_filled_one(
    connection: Any, pg: Any, pg_schema: str
) -> None:
    table = f"{pg_schema}.t"
    connection.write_arrow(frame([1], ["a"]), WriteRequest(mode="error", table=table))
    with pytest.raises(PostgresTargetNotEmpty, match="already holds rows"):
        connection.write_arrow(frame([2], ["b"]), WriteRequest(mode="error", table=table))
    assert rows(pg, table) == [(1, "a")]


def test_upsert_twice_gives_the_same_table(connection: Any, pg: Any, pg_schema: str) -> None:
    table = f"{pg_schema}.t"
    request = WriteRequest(mode="upsert", table=table, keys=("id",))
    connection.write_arrow(frame([1, 2], ["a", "b"]), request)
    connection.write_arrow(frame([2, 3], ["B", "c"]), request)
    once = rows(pg, table)
    connection.write_arrow(frame([2, 3], ["B", "c"]), request)
    assert rows(pg, table) == once == [(1, "a"), (2, "B"), (3, "c")]
    primary_key = pg.execute(
        "SELECT count(*) FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'p'",
        (table,),
    ).fetchone()
    assert primary_key == (1,)


def test_upsert_with_only_key_columns_inserts_missing_keys(
    connection: Any, pg: Any, pg_schema: str
) -> None:
    table = f"{pg_schema}.k"
    ids = pa.table({"id": pa.array([1, 2], pa.int64())})
    request = WriteRequest(mode="upsert", table=table, keys=("id",))
    connection.write_arrow(ids.to_reader(), request)
    connection.write_arrow(ids.to_reader(), request)
    assert rows(pg, table) == [(1,), (2,)]


def test_upsert_needs_a_unique_index_on_the_keys(connection: Any, pg: Any, pg_schema: str) -> None:
    pg.execute(f"CREATE TABLE {pg_schema}.t (id bigint, name text)")
    with pytest.raises(PostgresError, match="42P10") as info:
        connection.write_arrow(
            frame([1], ["a"]), WriteRequest(mode="upsert", table=f"{pg_schema}.t", keys=("id",))
        )
    assert "unique index" in info.value.hint


def test_upsert_refuses_a_key_twice_in_the_data(connection: Any, pg: Any, pg_schema: str) -> None:
    request = WriteRequest(mode="upsert", table=f"{pg_schema}.t", keys=("id",))
    connection.write_arrow(frame([1], ["a"]), request)
    with pytest.raises(PostgresError, match="21000") as info:
        connection.write_arrow(frame([1, 1], ["b", "c"]), request)
    assert "deduplicate" in info.value.hint
    assert rows(pg, f"{pg_schema}.t") == [(1, "a")]


@pytest.mark.parametrize("mode", ["overwrite", "append", "upsert"])
def test_a_write_failing_half_way_leaves_the_table_unchanged(
    connection: Any, pg: Any, pg_schema: str, mode: str
) -> None:
    table = f"{pg_schema}.t"
    pg.execute(f"CREATE TABLE {table} (id bigint PRIMARY KEY, name text NOT NULL)")
    pg.execute(f"INSERT INTO {table} SELECT i, 'before' FROM generate_series(1, 100) i")
    before = rows(pg, table)
    ids = list(range(1000, 51_000))
    names: list[str | None] = ["new"] * len(ids)
    names[-1] = None  # violates NOT NULL on the very last row
    with pytest.raises(PostgresError, match="23502"):
        connection.write_arrow(
            frame(ids, names), WriteRequest(mode=mode, table=table, keys=("id",))
        )
    assert rows(pg, table) == before


def test_a_reader_failing_half_way_leaves_the_table_unchanged(
    connection: Any, pg: Any, pg_schema: str
) -> None:
    table = f"{pg_schema}.t"
    connection.write_arrow(frame([1], ["a"]), WriteRequest(table=table))
    schema = pa.schema([("id", pa.int64()), ("name", pa.string())])

    def batches() -> Iterator[pa.RecordBatch]:
        yield pa.record_batch([pa.array([7], pa.int64()), pa.array(["x"])], schema=schema)
        raise RuntimeError("upstream failed")

    with pytest.raises(SourceRowsFailed, match="upstream failed") as info:
        connection.write_arrow(
            pa.RecordBatchReader.from_batches(schema, batches()),
            WriteRequest(mode="overwrite", table=table),
        )
    assert isinstance(info.value.__cause__, RuntimeError)
    assert not is_transient(info.value)
    assert rows(pg, table) == [(1, "a")]


def test_an_engine_error_half_way_through_the_data_is_not_a_connection_failure(
    connection: Any, engine: Any, pg: Any, pg_schema: str
) -> None:
    # DuckDB streams the frame; the bad value sits far past the first batch, so the error is
    # raised from inside the COPY, as an OSError relayed by Arrow
    bad = engine.sql(
        "SELECT i AS id, "
        "CAST(CASE WHEN i = 250000 THEN 'abc' ELSE CAST(i AS VARCHAR) END AS BIGINT) AS n "
        "FROM range(300000) t(i)",
        {},
    )
    table = f"{pg_schema}.t"
    with pytest.raises(SourceRowsFailed, match="abc") as info:
        connection.write_arrow(engine.to_arrow(bad), WriteRequest(mode="overwrite", table=table))
    assert not is_transient(info.value)
    assert "OSError" not in info.value.message
    assert pg.execute("SELECT to_regclass(%s)", (table,)).fetchone() == (None,)


@pytest.mark.parametrize(
    ("setup", "values", "sqlstate"),
    [
        pytest.param("id bigint PRIMARY KEY, n bigint", [(1, 1), (1, 2)], "23505", id="unique"),
        pytest.param("id bigint, n smallint", [(1, 100_000)], "22003", id="out-of-range"),
        pytest.param("id bigint, n bigint CHECK (n > 0)", [(1, -5)], "23514", id="check"),
        pytest.param("id bigint, n bigint NOT NULL", [(1, None)], "23502", id="not-null"),
    ],
)
def test_deterministic_server_errors_are_not_transient(
    connection: Any,
    pg: Any,
    pg_schema: str,
    setup: str,
    values: list[tuple[Any, Any]],
    sqlstate: str,
) -> None:
    table = f"{pg_schema}.t"
    pg.execute(f"CREATE TABLE {table} ({setup})")
    data = pa.table(
        {
            "id": pa.array([v[0] for v in values], pa.int64()),
            "n": pa.array([v[1] for v in values], pa.int64()),
        }
    )
    with pytest.raises(PostgresError, match=sqlstate) as info:
        connection.write_arrow(
            pa.RecordBatchReader.from_batches(data.schema, data.to_batches()),
            WriteRequest(mode="append", table=table),
        )
    assert not is_transient(info.value)
    assert rows(pg, table) == []


@pytest.mark.parametrize("index", ["PRIMARY KEY", "UNIQUE"])
def test_upsert_refuses_null_keys_naming_the_column_and_the_count(
    connection: Any, pg: Any, pg_schema: str, index: str
) -> None:
    table = f"{pg_schema}.t"
    pg.execute(f"CREATE TABLE {table} (id bigint {index}, name text)")
    request = WriteRequest(mode="upsert", table=table, keys=("id",))
    data = pa.table({"id": pa.array([1, None, 2, None], pa.int64()), "name": ["a", "b", "c", "d"]})
    for _ in range(3):  # a rerun never adds rows: every attempt is refused the same way
        with pytest.raises(PostgresNullKey, match=r"'id' in 2 of 4 row\(s\)") as info:
            connection.write_arrow(
                pa.RecordBatchReader.from_batches(data.schema, data.to_batches()), request
            )
        assert not is_transient(info.value)
    assert rows(pg, table) == []
    clean = data.filter(pa.compute.is_valid(data["id"]))
    for _ in range(3):
        connection.write_arrow(
            pa.RecordBatchReader.from_batches(clean.schema, clean.to_batches()), request
        )
    assert rows(pg, table) == [(1, "a"), (2, "c")]


def test_an_incompatible_existing_column_is_a_clear_error(
    connection: Any, pg: Any, pg_schema: str
) -> None:
    pg.execute(f"CREATE TABLE {pg_schema}.t (id bigint, name integer)")
    pg.execute(f"INSERT INTO {pg_schema}.t VALUES (1, 1)")
    with pytest.raises(
        PostgresSchemaMismatch, match=r"column 'name' of table .* is integer, .* string"
    ):
        connection.write_arrow(
            frame([2], ["b"]), WriteRequest(mode="overwrite", table=f"{pg_schema}.t")
        )
    assert rows(pg, f"{pg_schema}.t") == [(1, 1)]


def test_a_frame_column_missing_from_the_table_is_named(
    connection: Any, pg: Any, pg_schema: str
) -> None:
    pg.execute(f"CREATE TABLE {pg_schema}.t (id bigint, nme text)")
    with pytest.raises(PostgresSchemaMismatch, match=r"no column 'name'.*did you mean 'nme'"):
        connection.write_arrow(
            frame([2], ["b"]), WriteRequest(mode="append", table=f"{pg_schema}.t")
        )


def test_nested_columns_are_refused_before_touching_the_table(
    connection: Any, pg: Any, pg_schema: str
) -> None:
    table = pa.table({"tags": pa.array([[1, 2]])})
    with pytest.raises(PostgresUnsupportedType):
        connection.write_arrow(table.to_reader(), WriteRequest(table=f"{pg_schema}.t"))
    assert pg.execute("SELECT to_regclass(%s)", (f"{pg_schema}.t",)).fetchone() == (None,)


@pytest.mark.parametrize(
    "hostile",
    ["x; DROP TABLE victim; --", 'x"; DROP TABLE victim; --', "victim; DELETE FROM victim"],
)
def test_a_hostile_table_name_is_quoted_not_executed(
    pg_dsn: str, pg: Any, pg_schema: str, hostile: str
) -> None:
    from odibi_connector_postgres.connection import PostgresConnection
    from odibi_connector_postgres.options import PostgresOptions

    connection = PostgresConnection("warehouse", PostgresOptions(dsn=pg_dsn))
    pg.execute(f"CREATE TABLE {pg_schema}.victim (id int)")
    pg.execute(f"INSERT INTO {pg_schema}.victim VALUES (1)")
    qualified = f'{pg_schema}."{hostile.replace(chr(34), chr(34) * 2)}"'
    connection.write_arrow(frame([1], ["a"]), WriteRequest(table=qualified))
    tables = {
        r[0]
        for r in pg.execute("SELECT tablename FROM pg_tables WHERE schemaname = %s", (pg_schema,))
    }
    assert tables == {"victim", hostile}
    assert pg.execute(f"SELECT count(*) FROM {pg_schema}.victim").fetchone() == (1,)
    assert connection.exists(WriteRequest(table=qualified))
    assert rows(pg, f'{pg_schema}."{hostile.replace(chr(34), chr(34) * 2)}"') == [(1, "a")]


def test_an_unqualified_hostile_name_is_one_table_in_the_search_path(
    pg_dsn: str, pg: Any, pg_schema: str
) -> None:
    from odibi_connector_postgres.connection import PostgresConnection
    from odibi_connector_postgres.options import PostgresOptions

    dsn = f"{pg_dsn}{'&' if '?' in pg_dsn else '?'}options=-csearch_path%3D{pg_schema}"
    connection = PostgresConnection("warehouse", PostgresOptions(dsn=dsn))
    pg.execute(f"CREATE TABLE {pg_schema}.victim (id int)")
    connection.write_arrow(frame([1], ["a"]), WriteRequest(table="victim; DROP TABLE victim; --"))
    tables = {
        r[0]
        for r in pg.execute("SELECT tablename FROM pg_tables WHERE schemaname = %s", (pg_schema,))
    }
    assert tables == {"victim", "victim; DROP TABLE victim; --"}


def test_hostile_column_names_are_quoted_too(connection: Any, pg: Any, pg_schema: str) -> None:
    table = pa.table({'a") ; DROP TABLE x; --': pa.array([1]), "Mixed Case": pa.array(["v"])})
    connection.write_arrow(table.to_reader(), WriteRequest(table=f"{pg_schema}.t"))
    assert pg.execute(f'SELECT "Mixed Case" FROM {pg_schema}.t').fetchall() == [("v",)]


def test_exists_tells_whether_the_target_table_exists(
    connection: Any, pg: Any, pg_schema: str
) -> None:
    assert not connection.exists(WriteRequest(table=f"{pg_schema}.t"))
    pg.execute(f"CREATE TABLE {pg_schema}.t (id int)")
    assert connection.exists(WriteRequest(table=f"{pg_schema}.t"))


def test_unknown_modes_and_options_are_rejected(connection: Any, pg_schema: str) -> None:
    with pytest.raises(PostgresError, match="unknown write mode"):
        connection.write_arrow(
            frame([1], ["a"]), WriteRequest(mode="merge", table=f"{pg_schema}.t")
        )
    with pytest.raises(PostgresError, match="take no options"):
        connection.write_arrow(
            frame([1], ["a"]), WriteRequest(table=f"{pg_schema}.t", options={"x": 1})
        )


def test_a_missing_schema_gets_a_hint(connection: Any) -> None:
    with pytest.raises(PostgresError, match="3F000") as info:
        connection.write_arrow(frame([1], ["a"]), WriteRequest(table="no_such_schema_x.t"))
    assert "create it first" in info.value.hint
