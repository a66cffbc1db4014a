"""The engine contract test suite: every engine subclasses :class:`EngineContract` and passes it.

Example (the ``pandas`` engine's own test module)::

    import pytest
    from odibi_engine_pandas.engine import PandasEngine
    from odibi_core.testing.engine_contract import EngineContract

    class TestPandasEngine(EngineContract):
        @pytest.fixture
        def engine(self):
            engine = PandasEngine()
            yield engine
            engine.close()

        def is_native_frame(self, value):
            import pandas as pd
            return isinstance(value, pd.DataFrame)

The suite covers reading CSV / Parquet / JSON (globs, incremental filters), the documented SQL
subset with upstream names and ``this``, Python steps with native / pandas / Arrow frames, writes
in every mode and format with atomic publication, file safety (staging files, malformed CSV,
paths: :mod:`odibi_core.testing.engine_contract_files`), counts, schemas, the Arrow round trip,
table connections, one-pass aggregates, ``max_value``, ``persist`` and ``release``; computing
frames whole, errors that point into the user's SQL, interrupts, and the promises of a run on the
engine (``success`` means computed, failures blamed on the right node and step). Data are tiny,
so an engine with a slow start (Spark) should share one session across the whole test run.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from odibi_core.connections.local import LocalConnection
from odibi_core.contracts.connection import TableConnection
from odibi_core.contracts.engine import CURRENT_FRAME_NAME, Engine, WriteCounts, write_counts
from odibi_core.contracts.requests import ReadRequest, WriteRequest
from odibi_core.errors import OdibiError
from odibi_core.testing.engine_contract_compute import ComputeContract
from odibi_core.testing.engine_contract_files import FileSafetyContract
from odibi_core.testing.engine_contract_runs import RunContract

ORDERS = [
    {"order_id": 1, "customer_id": 10, "status": "completed", "amount": 12.5},
    {"order_id": 2, "customer_id": 11, "status": "pending", "amount": 3.0},
    {"order_id": 3, "customer_id": 10, "status": "shipped", "amount": 7.25},
    {"order_id": 4, "customer_id": 12, "status": "cancelled", "amount": 1.0},
]
CUSTOMERS = [{"customer_id": 10, "region": "North"}, {"customer_id": 11, "region": "south"}]


def write_inputs(root: Path) -> None:
    """Write the suite's sample data as CSV, Parquet and JSON lines under ``root``."""
    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    root.mkdir(parents=True, exist_ok=True)
    for name, rows in (("orders", ORDERS), ("customers", CUSTOMERS)):
        table = pa.Table.from_pylist(rows)
        pacsv.write_csv(table, root / f"{name}.csv")
        pq.write_table(table, root / f"{name}.parquet")
        (root / f"{name}.json").write_text("".join(json.dumps(r) + "\n" for r in rows))
    (root / "parts").mkdir(exist_ok=True)
    for i in range(2):
        pq.write_table(
            pa.Table.from_pylist(ORDERS[2 * i : 2 * i + 2]), root / "parts" / f"part{i}.parquet"
        )


class MemoryTables(TableConnection):
    """A table connection keeping Arrow tables in a dict (for the Arrow interchange tests)."""

    type = "memory"

    def __init__(self, name: str = "memory") -> None:
        self.name = name
        self.tables: dict[str, Any] = {}

    def read_arrow(self, request: ReadRequest) -> Any:
        """The stored table as a reader."""
        return self.tables[request.table or ""].to_reader(max_chunksize=2)

    def write_arrow(self, reader: Any, request: WriteRequest) -> int:
        """Store every batch (appending in mode ``append``)."""
        import pyarrow as pa

        table = reader.read_all()
        old = self.tables.get(request.table or "")
        if request.mode == "append" and old is not None:
            table = pa.concat_tables([old, table.cast(old.schema)])
        self.tables[request.table or ""] = table
        return table.num_rows


class PublishFails(LocalConnection):
    """A local connection whose rename step fails, as a crash just before publishing would."""

    def publish(self, staging: str, path: str) -> None:
        """Always fail."""
        raise OSError("simulated failure while publishing")


def read_file(path: Path, fmt: str) -> list[dict[str, Any]]:
    """Rows of a written file, read independently of the engine under test (DuckDB)."""
    import duckdb

    reader = {"csv": "read_csv", "parquet": "read_parquet", "json": "read_json_auto"}[fmt]
    assert path.is_file(), f"{path} should be a single file"
    relation = duckdb.sql(f"SELECT * FROM {reader}('{path}')")
    assert relation is not None
    return [dict(zip(relation.columns, row, strict=True)) for row in relation.fetchall()]


def leftovers(folder: Path) -> list[str]:
    """Staging files or folders left behind in ``folder``."""
    return sorted(p.name for p in folder.iterdir() if ".odibi-" in p.name)


def canonical_type(arrow_type: Any) -> str:
    """An Arrow type's name with the spellings of UTC unified (DuckDB says ``Etc/UTC``)."""
    return str(arrow_type).replace("tz=Etc/UTC", "tz=UTC").replace("tz=+00:00", "tz=UTC")


class EngineContract(FileSafetyContract, ComputeContract, RunContract):
    """Behaviour every engine promises. Override :meth:`engine` and :meth:`is_native_frame`.

    File safety is in :class:`~odibi_core.testing.engine_contract_files.FileSafetyContract`;
    computing frames whole, errors pointing into the user's SQL and interrupts in
    :class:`~odibi_core.testing.engine_contract_compute.ComputeContract`; what a run reports on
    the engine in :class:`~odibi_core.testing.engine_contract_runs.RunContract`.
    """

    @pytest.fixture
    def engine(self) -> Iterator[Engine]:
        """The engine under test (override; close it after the yield)."""
        pytest.fail("override the `engine` fixture in your EngineContract subclass")
        yield  # pragma: no cover  # noqa: PT022 (subclasses override it with a yield fixture)

    def is_native_frame(self, value: Any) -> bool:
        """Whether ``value`` is what a ``frame="native"`` step should receive (override)."""
        raise NotImplementedError("override is_native_frame in your EngineContract subclass")

    @pytest.fixture
    def files(self, tmp_path: Path) -> LocalConnection:
        """A local connection holding the sample inputs."""
        write_inputs(tmp_path / "in")
        return LocalConnection("files", tmp_path / "in")

    @pytest.fixture
    def out(self, tmp_path: Path) -> LocalConnection:
        """An empty local connection to write to."""
        (tmp_path / "out").mkdir()
        return LocalConnection("out", tmp_path / "out")

    # --- helpers ------------------------------------------------------------------------

    @staticmethod
    def rows(engine: Engine, frame: Any, order_by: str | None = None) -> list[dict[str, Any]]:
        """The frame's rows as dicts (sorted by ``order_by`` when given)."""
        rows = engine.to_arrow(frame).read_all().to_pylist()
        return sorted(rows, key=lambda r: r[order_by]) if order_by else rows

    @staticmethod
    def read(
        engine: Engine, files: LocalConnection, path: str, fmt: str | None = None, **kw: Any
    ) -> Any:
        fmt = fmt or path.rsplit(".", 1)[-1]
        return engine.read(files, ReadRequest(format=fmt, path=path, **kw))

    # --- reading ------------------------------------------------------------------------

    @pytest.mark.parametrize("fmt", ["csv", "parquet", "json"])
    def test_reads_each_file_format(self, engine: Engine, files: LocalConnection, fmt: str) -> None:
        frame = self.read(engine, files, f"orders.{fmt}")
        assert self.rows(engine, frame, "order_id") == ORDERS
        types = {c.name: c.type for c in engine.schema(frame)}
        assert types["order_id"].startswith("int")
        assert types["amount"] == "double"
        assert types["status"] in ("string", "large_string")

    def test_reads_a_glob_of_files(self, engine: Engine, files: LocalConnection) -> None:
        frame = self.read(engine, files, "parts/*.parquet", "parquet")
        assert self.rows(engine, frame, "order_id") == ORDERS

    def test_read_keeps_only_rows_past_the_incremental_mark(
        self, engine: Engine, files: LocalConnection
    ) -> None:
        frame = self.read(
            engine, files, "orders.parquet", incremental_column="order_id", incremental_after=2
        )
        assert [r["order_id"] for r in self.rows(engine, frame, "order_id")] == [3, 4]

    def test_reads_an_empty_parquet_file_with_its_schema(
        self, engine: Engine, files: LocalConnection, tmp_path: Path
    ) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        pq.write_table(
            pa.table({"k": pa.array([], pa.int64()), "s": pa.array([], pa.string())}),
            tmp_path / "in" / "empty.parquet",
        )
        frame = self.read(engine, files, "empty.parquet")
        assert engine.count(frame) == 0
        assert [c.name for c in engine.schema(frame)] == ["k", "s"]

    # --- SQL ----------------------------------------------------------------------------

    def test_sql_sees_upstream_nodes_by_name_and_the_current_frame_as_this(
        self, engine: Engine, files: LocalConnection
    ) -> None:
        orders = self.read(engine, files, "orders.csv")
        customers = self.read(engine, files, "customers.parquet")
        query = """SELECT this.order_id, c.region FROM this
                   JOIN customers c ON c.customer_id = this.customer_id
                   WHERE this.order_id IN (SELECT order_id FROM orders WHERE amount > 5)"""
        result = engine.sql(
            query, {"orders": orders, "customers": customers, CURRENT_FRAME_NAME: orders}
        )
        assert self.rows(engine, result, "order_id") == [
            {"order_id": 1, "region": "North"},
            {"order_id": 3, "region": "North"},
        ]

    def test_sql_dialect_subset_runs_the_same_everywhere(
        self, engine: Engine, files: LocalConnection
    ) -> None:
        tables = {
            "orders": self.read(engine, files, "orders.parquet"),
            "customers": self.read(engine, files, "customers.csv"),
        }
        query = """
            SELECT upper(coalesce(c.region, 'none')) AS region, lower('X') AS x,
                   count(*) AS n, sum(o.amount) AS total,
                   min(o.amount) AS low, max(o.amount) AS high,
                   avg(o.amount) AS mean, CAST(sum(o.order_id) AS DOUBLE) AS ids,
                   sum(CASE WHEN o.status = 'completed' THEN 1 ELSE 0 END) AS done
            FROM orders o LEFT JOIN customers c USING (customer_id)
            WHERE o."status" <> 'cancelled' OR o.amount >= 1
            GROUP BY upper(coalesce(c.region, 'none'))
            HAVING count(*) >= 1
            UNION ALL
            SELECT 'ZZZ', 'x', 0, 0.0, 0.0, 0.0, 0.0, 0.0, 0
            ORDER BY region
        """
        rows = self.rows(engine, engine.sql(query, tables))
        assert [(r["region"], r["n"], r["done"]) for r in rows] == [
            ("NONE", 1, 0),
            ("NORTH", 2, 1),
            ("SOUTH", 1, 0),
            ("ZZZ", 0, 0),
        ]
        north = rows[1]
        assert north["x"] == "x"
        assert north["total"] == pytest.approx(19.75)
        assert (north["low"], north["high"], north["ids"]) == (7.25, 12.5, 4.0)
        assert north["mean"] == pytest.approx(9.875)

    def test_sql_casts_predicates_and_distinct_counts(
        self, engine: Engine, files: LocalConnection
    ) -> None:
        orders = self.read(engine, files, "orders.csv")
        query = """
            SELECT CAST(order_id AS STRING) AS id_text, CAST('2024-02-29' AS DATE) AS day,
                   CAST('2024-02-29 10:30:00' AS TIMESTAMP) AS at,
                   CAST(amount AS DECIMAL(10, 2)) AS money,
                   CAST('7' AS BIGINT) AS seven, CAST(order_id AS INT) AS small,
                   CAST(1 AS BOOLEAN) AS yes,
                   CAST(NULL AS DOUBLE) AS nothing
            FROM orders
            WHERE status LIKE '%e%' AND customer_id IN (10, 11) AND status IS NOT NULL
              AND NOT (amount < 0) AND order_id BETWEEN 1 AND 3
            ORDER BY order_id
        """
        rows = self.rows(engine, engine.sql(query, {"orders": orders}))
        assert [r["id_text"] for r in rows] == ["1", "2", "3"]
        assert rows[0]["day"] == dt.date(2024, 2, 29)
        assert rows[0]["at"] == dt.datetime(2024, 2, 29, 10, 30)
        assert rows[2]["money"] == decimal.Decimal("7.25")
        assert rows[0]["seven"] == 7
        assert rows[0]["small"] == 1
        assert rows[0]["yes"] is True
        assert rows[0]["nothing"] is None
        counts = engine.sql(
            "SELECT count(DISTINCT customer_id) AS c, count(*) FILTER (WHERE amount > 5) AS f "
            "FROM this",
            {CURRENT_FRAME_NAME: orders},
        )
        assert self.rows(engine, counts) == [{"c": 3, "f": 2}]

    def test_a_bad_sql_step_fails_at_once_with_an_odibi_error(
        self, engine: Engine, files: LocalConnection
    ) -> None:
        orders = self.read(engine, files, "orders.csv")
        with pytest.raises(OdibiError, match=r"(?i)no_such_column"):
            engine.sql("SELECT no_such_column FROM this", {CURRENT_FRAME_NAME: orders})

    def test_parallel_sql_steps_never_see_each_others_tables(
        self, engine: Engine, files: LocalConnection
    ) -> None:
        source = self.read(engine, files, "orders.parquet")
        frames = {
            i: engine.sql(f"SELECT * FROM this WHERE order_id = {i}", {CURRENT_FRAME_NAME: source})
            for i in range(1, 5)
        }
        results: dict[int, Any] = {}
        errors: list[BaseException] = []

        def step(i: int) -> None:
            try:
                out = engine.sql(
                    "SELECT order_id, amount * 2 AS twice FROM this",
                    {CURRENT_FRAME_NAME: frames[i]},
                )
                results[i] = self.rows(engine, out)
            except BaseException as exc:  # reported below
                errors.append(exc)

        threads = [threading.Thread(target=step, args=(i,)) for i in frames for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not errors, errors
        assert {i: [r["order_id"] for r in rows] for i, rows in results.items()} == {
            i: [i] for i in frames
        }

    # --- Python steps -------------------------------------------------------------------

    def test_native_step_receives_the_engine_frame(
        self, engine: Engine, files: LocalConnection
    ) -> None:
        seen: list[Any] = []

        def step(frame: Any, *, tag: str, inputs: dict[str, Any]) -> Any:
            seen.extend([frame, tag, inputs["customers"]])
            return frame

        frame = self.read(engine, files, "orders.parquet")
        customers = self.read(engine, files, "customers.parquet")
        result = engine.call(
            step, frame, {"tag": "t"}, frame_kind="native", inputs={"customers": customers}
        )
        assert self.is_native_frame(seen[0])
        assert self.is_native_frame(seen[2])
        assert seen[1] == "t"
        assert self.rows(engine, result, "order_id") == ORDERS

    def test_pandas_step_receives_a_pandas_frame_with_params_and_inputs(
        self, engine: Engine, files: LocalConnection
    ) -> None:
        import pandas as pd

        def step(df: pd.DataFrame, rate: float, inputs: dict[str, Any]) -> pd.DataFrame:
            assert isinstance(df, pd.DataFrame)
            assert isinstance(inputs["customers"], pd.DataFrame)
            df = df.merge(inputs["customers"], on="customer_id", how="inner")
            df["margin"] = df["amount"] * rate
            return df[["order_id", "region", "margin"]]

        frame = self.read(engine, files, "orders.csv")
        customers = self.read(engine, files, "customers.csv")
        result = engine.call(
            step, frame, {"rate": 0.5}, frame_kind="pandas", inputs={"customers": customers}
        )
        assert self.rows(engine, result, "order_id") == [
            {"order_id": 1, "region": "North", "margin": 6.25},
            {"order_id": 2, "region": "south", "margin": 1.5},
            {"order_id": 3, "region": "North", "margin": 3.625},
        ]

    def test_pandas_frames_keep_integer_columns_with_nulls(self, engine: Engine) -> None:
        import pyarrow as pa

        frame = engine.from_arrow(pa.table({"k": pa.array([1, None], pa.int64())}))
        result = engine.call(lambda df: df, frame, {}, frame_kind="pandas")
        assert {c.name: c.type for c in engine.schema(result)} == {"k": "int64"}
        assert self.rows(engine, result) == [{"k": 1}, {"k": None}]

    def test_arrow_step_receives_a_table_and_may_return_one(
        self, engine: Engine, files: LocalConnection
    ) -> None:
        import pyarrow as pa
        import pyarrow.compute as pc

        def step(table: pa.Table) -> pa.Table:
            assert isinstance(table, pa.Table)
            return table.filter(pc.greater(table["amount"], 5)).select(["order_id"])

        result = engine.call(step, self.read(engine, files, "orders.json"), {}, frame_kind="arrow")
        assert self.rows(engine, result, "order_id") == [{"order_id": 1}, {"order_id": 3}]

    @pytest.mark.parametrize("kind", ["native", "pandas", "arrow"])
    def test_every_step_may_return_pandas_or_arrow(self, engine: Engine, kind: str) -> None:
        import pandas as pd
        import pyarrow as pa

        frame = engine.from_arrow(pa.table({"a": [1]}))
        as_pandas = engine.call(lambda f: pd.DataFrame({"b": ["x"]}), frame, {}, frame_kind=kind)
        as_arrow = engine.call(lambda f: pa.table({"c": [2.5]}), frame, {}, frame_kind=kind)
        assert self.rows(engine, as_pandas) == [{"b": "x"}]
        assert self.rows(engine, as_arrow) == [{"c": 2.5}]

    def test_a_step_returning_something_else_is_an_odibi_error(self, engine: Engine) -> None:
        import pyarrow as pa

        with pytest.raises(OdibiError, match="returned int"):
            engine.call(
                lambda f: 42, engine.from_arrow(pa.table({"a": [1]})), {}, frame_kind="arrow"
            )

    # --- writing ------------------------------------------------------------------------

    @pytest.mark.parametrize("fmt", ["csv", "parquet", "json"])
    def test_overwrite_replaces_the_file_atomically(
        self, engine: Engine, files: LocalConnection, out: LocalConnection, fmt: str
    ) -> None:
        frame = self.read(engine, files, "orders.parquet")
        request = WriteRequest(mode="overwrite", format=fmt, path=f"sub/result.{fmt}")
        assert write_counts(engine.write(frame, out, request), "overwrite").written == 4
        small = engine.sql(
            "SELECT order_id, status FROM this WHERE order_id < 3", {CURRENT_FRAME_NAME: frame}
        )
        assert write_counts(engine.write(small, out, request), "overwrite") == WriteCounts(2, 2)
        written = read_file(out.root / "sub" / f"result.{fmt}", fmt)
        assert sorted(written, key=lambda r: r["order_id"]) == [
            {"order_id": 1, "status": "completed"},
            {"order_id": 2, "status": "pending"},
        ]
        assert leftovers(out.root / "sub") == []

    def test_a_written_file_keeps_the_order_by_of_its_frame(
        self, engine: Engine, files: LocalConnection, out: LocalConnection
    ) -> None:
        frame = self.read(engine, files, "orders.parquet")
        ordered = engine.sql(
            "SELECT order_id, amount FROM this ORDER BY amount DESC", {"this": frame}
        )
        engine.write(ordered, out, WriteRequest(mode="overwrite", format="csv", path="sorted.csv"))
        assert [r["order_id"] for r in read_file(out.root / "sorted.csv", "csv")] == [1, 3, 2, 4]

    @pytest.mark.parametrize("fmt", ["csv", "parquet", "json"])
    def test_append_adds_rows_to_an_existing_file(
        self, engine: Engine, files: LocalConnection, out: LocalConnection, fmt: str
    ) -> None:
        frame = self.read(engine, files, "orders.parquet")
        request = WriteRequest(mode="append", format=fmt, path=f"log.{fmt}")
        first = engine.write(
            engine.sql("SELECT order_id FROM this WHERE order_id <= 2", {"this": frame}),
            out,
            request,
        )
        assert write_counts(first, "append").written == 2
        second = engine.write(
            engine.sql("SELECT order_id FROM this WHERE order_id > 1", {"this": frame}),
            out,
            request,
        )
        counts = write_counts(second, "append")
        assert counts.written == 3, "append reports the rows it added, not the file's total"
        assert counts.total in (None, 5)
        nothing = engine.write(
            engine.sql("SELECT order_id FROM this WHERE order_id > 99", {"this": frame}),
            out,
            request,
        )
        assert write_counts(nothing, "append").written == 0
        assert sorted(r["order_id"] for r in read_file(out.root / f"log.{fmt}", fmt)) == [
            1,
            2,
            2,
            3,
            4,
        ]

    def test_error_mode_refuses_an_existing_target_and_keeps_it(
        self, engine: Engine, files: LocalConnection, out: LocalConnection
    ) -> None:
        frame = self.read(engine, files, "orders.parquet")
        request = WriteRequest(mode="error", format="parquet", path="once.parquet")
        engine.write(frame, out, request)
        before = (out.root / "once.parquet").read_bytes()
        with pytest.raises(OdibiError, match="already exists"):
            engine.write(frame, out, request)
        assert (out.root / "once.parquet").read_bytes() == before

    def test_a_failed_publish_leaves_the_old_file_and_no_staging_files(
        self, engine: Engine, files: LocalConnection, out: LocalConnection
    ) -> None:
        frame = self.read(engine, files, "orders.parquet")
        request = WriteRequest(mode="overwrite", format="csv", path="keep.csv")
        engine.write(frame, out, request)
        before = (out.root / "keep.csv").read_bytes()
        failing = PublishFails("out", out.root)
        with pytest.raises((OSError, OdibiError)):
            engine.write(engine.sql("SELECT 1 AS x", {}), failing, request)
        assert (out.root / "keep.csv").read_bytes() == before
        assert leftovers(out.root) == []

    def test_a_computation_failing_mid_write_leaves_the_old_file(
        self, engine: Engine, files: LocalConnection, out: LocalConnection
    ) -> None:
        frame = self.read(engine, files, "orders.parquet")
        request = WriteRequest(mode="overwrite", format="parquet", path="keep.parquet")
        engine.write(frame, out, request)
        before = (out.root / "keep.parquet").read_bytes()
        # lazy engines fail in write, eager ones in sql: both statements belong in the block
        with pytest.raises(OdibiError):  # noqa: PT012
            broken = engine.sql(
                "SELECT order_id, CAST(status AS INTEGER) AS s FROM this", {"this": frame}
            )
            engine.write(broken, out, request)
        assert (out.root / "keep.parquet").read_bytes() == before
        assert leftovers(out.root) == []

    # --- counting, schemas, Arrow -------------------------------------------------------

    def test_count_and_schema(self, engine: Engine, files: LocalConnection) -> None:
        frame = self.read(engine, files, "orders.parquet")
        assert engine.count(frame) == 4
        assert (
            engine.count(engine.sql("SELECT * FROM this WHERE order_id > 99", {"this": frame})) == 0
        )
        assert [(c.name, c.type) for c in engine.schema(frame)] == [
            ("order_id", "int64"),
            ("customer_id", "int64"),
            ("status", "string"),
            ("amount", "double"),
        ]

    def test_arrow_round_trip_keeps_types_and_values(self, engine: Engine) -> None:
        import pyarrow as pa

        utc = dt.timezone.utc
        table = pa.table(
            {
                "i": pa.array([1, None, -3], pa.int64()),
                "f": pa.array([1.5, None, -0.25], pa.float64()),
                "s": pa.array(["ä€😀", None, ""], pa.string()),
                "b": pa.array([True, None, False], pa.bool_()),
                "d": pa.array([dt.date(2024, 2, 29), None, dt.date(1970, 1, 1)], pa.date32()),
                "ts": pa.array(
                    [
                        dt.datetime(2024, 1, 1, 8, tzinfo=utc),
                        None,
                        dt.datetime(1999, 12, 31, 23, 59, tzinfo=utc),
                    ],
                    pa.timestamp("us", tz="UTC"),
                ),
                "naive": pa.array(
                    [dt.datetime(2024, 1, 1, 8), None, dt.datetime(2000, 1, 1)], pa.timestamp("us")
                ),
                "dec": pa.array(
                    [decimal.Decimal("12.345"), None, decimal.Decimal("-0.001")],
                    pa.decimal128(12, 3),
                ),
            }
        )
        back = engine.to_arrow(engine.from_arrow(table)).read_all()
        assert back.schema.names == table.schema.names
        assert [canonical_type(f.type) for f in back.schema] == [str(f.type) for f in table.schema]
        assert back.to_pylist() == table.to_pylist()

    def test_table_connections_go_through_arrow(self, engine: Engine) -> None:
        import pyarrow as pa

        memory = MemoryTables()
        memory.tables["src"] = pa.table({"k": [1, 2, 3], "v": ["a", "b", "c"]})
        frame = engine.read(memory, ReadRequest(table="src"))
        doubled = engine.sql("SELECT k * 2 AS k2, v FROM this", {"this": frame})
        assert (
            write_counts(
                engine.write(doubled, memory, WriteRequest(mode="overwrite", table="dst")),
                "overwrite",
            ).written
            == 3
        )
        assert sorted(memory.tables["dst"].to_pylist(), key=lambda r: r["k2"]) == [
            {"k2": 2, "v": "a"},
            {"k2": 4, "v": "b"},
            {"k2": 6, "v": "c"},
        ]

    # --- validations, marks, lifetime ---------------------------------------------------

    def test_aggregate_evaluates_every_validation_in_one_call(self, engine: Engine) -> None:
        import pyarrow as pa

        from odibi_core.config.models import ValidationConfig
        from odibi_core.execution.validation import build_checks

        frame = engine.from_arrow(
            pa.table(
                {
                    "id": [1, 2, 2, None],
                    "a": ["x", "y", "y", "y"],
                    "b": [1, 1, 2, 2],
                    "status": ["ok", "bad", "ok", None],
                }
            )
        )
        config = ValidationConfig.model_validate(
            {
                "not_null": ["id"],
                "unique": ["id", ["a", "b"]],
                "accepted_values": {"status": ["ok"]},
                "custom": [{"name": "positive", "sql": "b > 1"}],
            }
        )
        checks = build_checks(config)
        values = engine.aggregate(frame, {alias: expr for alias, (_, expr) in checks.items()})
        assert {k: int(v) for k, v in values.items()} == {
            "rows": 4,
            "not_null_0": 1,
            "unique_0": 1,
            "unique_1": 1,
            "accepted_0": 1,
            "custom_0": 2,
        }

    def test_max_value_of_numbers_timestamps_and_empty_frames(self, engine: Engine) -> None:
        import pyarrow as pa

        utc = dt.timezone.utc
        frame = engine.from_arrow(
            pa.table(
                {
                    "n": pa.array([3, None, 7], pa.int64()),
                    "ts": pa.array(
                        [
                            dt.datetime(2024, 5, 1, tzinfo=utc),
                            None,
                            dt.datetime(2023, 1, 1, tzinfo=utc),
                        ],
                        pa.timestamp("us", tz="UTC"),
                    ),
                }
            )
        )
        assert engine.max_value(frame, "n") == 7
        assert engine.max_value(frame, "ts") == dt.datetime(2024, 5, 1, tzinfo=utc)
        empty = engine.sql("SELECT * FROM this WHERE n > 100", {"this": frame})
        assert engine.max_value(empty, "n") is None

    def test_persist_and_release_keep_dependent_frames_usable(
        self, engine: Engine, files: LocalConnection
    ) -> None:
        frame = self.read(engine, files, "orders.parquet")
        kept = engine.persist(frame)
        derived = engine.sql("SELECT order_id FROM this WHERE amount > 5", {"this": kept})
        assert engine.count(kept) == 4
        engine.release(kept)
        if kept is not frame:
            engine.release(frame)
        assert sorted(r["order_id"] for r in self.rows(engine, derived)) == [1, 3]
        engine.release(derived)
