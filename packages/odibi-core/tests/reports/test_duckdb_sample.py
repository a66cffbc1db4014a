"""Engine.sample: cheap where it can be, declined where it would cost a pass over the data."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pytest
from odibi_core.connections.local import LocalConnection
from odibi_core.contracts.engine import Engine
from odibi_core.contracts.requests import ReadRequest, WriteRequest
from odibi_core.engines.duckdb_engine import DuckDBEngine


@pytest.fixture
def engine() -> Iterator[DuckDBEngine]:
    e = DuckDBEngine()
    yield e
    e.close()


@pytest.fixture
def raw(tmp_path: Path) -> LocalConnection:
    (tmp_path / "a.csv").write_text("id,g\n" + "".join(f"{i},{i % 3}\n" for i in range(1000)))
    return LocalConnection("raw", tmp_path)


def test_a_read_is_sampled_with_limit_and_the_same_query_answers_its_schema(
    engine: DuckDBEngine, raw: LocalConnection
) -> None:
    frame = engine.read(
        raw, ReadRequest(format="csv", path="a.csv", incremental_column="id", incremental_after=996)
    )
    table = engine.sample(frame, 5)
    assert table is not None
    assert table.to_pylist() == [{"id": 997, "g": 1}, {"id": 998, "g": 2}, {"id": 999, "g": 0}]
    assert frame.columns is not None  # schema() will not bind the CSV (and re-sniff it) again
    assert [c.name for c in engine.schema(frame)] == ["id", "g"]


def test_a_sampled_read_has_the_schema_its_view_has(engine: DuckDBEngine, tmp_path: Path) -> None:
    (tmp_path / "t.csv").write_text(
        "id;when;amount;name\n1;2026-01-02 03:04:05;1.5;a\n2;2026-01-03 00:00:00;2;b\n"
    )
    raw = LocalConnection("raw", tmp_path)
    request = ReadRequest(format="csv", path="t.csv", options={"delim": ";"})
    sampled = engine.read(raw, request)
    table = engine.sample(sampled, 1)
    assert table is not None
    assert table.num_rows == 1
    assert engine.schema(sampled) == engine.schema(engine.read(raw, request))
    assert [c.type for c in engine.schema(sampled)] == [
        "int64",
        "timestamp[us]",
        "double",
        "string",
    ]


def test_schema_is_asked_once_per_frame(engine: DuckDBEngine, raw: LocalConnection) -> None:
    frame = engine.read(raw, ReadRequest(format="csv", path="a.csv"))
    first = engine.schema(frame)
    (Path(raw.root) / "a.csv").write_text("other,columns\n1,2\n")
    assert engine.schema(frame) == first


@pytest.mark.parametrize(
    "query",
    [
        "SELECT g, count(*) AS n FROM this GROUP BY g",
        "SELECT * FROM this ORDER BY id DESC",
        "SELECT a.id FROM this a JOIN this b USING (id)",
        "SELECT id, sum(g) OVER (ORDER BY id) AS s FROM this",
        "SELECT id FROM this WHERE g = 1",
    ],
)
def test_a_lazy_query_is_not_computed_again_for_a_sample(
    engine: DuckDBEngine, raw: LocalConnection, query: str
) -> None:
    frame = engine.read(raw, ReadRequest(format="csv", path="a.csv"))
    assert engine.sample(engine.sql(query, {"this": frame}), 3) is None


def test_a_written_frame_is_sampled_from_its_output_file(
    engine: DuckDBEngine, raw: LocalConnection, tmp_path: Path
) -> None:
    frame = engine.read(raw, ReadRequest(format="csv", path="a.csv"))
    grouped = engine.sql("SELECT g, count(*) AS n FROM this GROUP BY g ORDER BY g", {"this": frame})
    engine.write(grouped, raw, WriteRequest(mode="overwrite", format="parquet", path="out.parquet"))
    table = engine.sample(grouped, 5)
    assert table is not None
    assert table.to_pylist() == [{"g": 0, "n": 334}, {"g": 1, "n": 333}, {"g": 2, "n": 333}]


def test_an_appended_frame_is_not_sampled_from_the_file_it_appended_to(
    engine: DuckDBEngine, raw: LocalConnection
) -> None:
    frame = engine.read(raw, ReadRequest(format="csv", path="a.csv"))
    old = engine.sql("SELECT 99 AS g, 0 AS n", {})
    engine.write(old, raw, WriteRequest(mode="overwrite", format="parquet", path="out.parquet"))
    grouped = engine.sql("SELECT g, count(*) AS n FROM this GROUP BY g", {"this": frame})
    engine.write(grouped, raw, WriteRequest(mode="append", format="parquet", path="out.parquet"))
    assert engine.sample(grouped, 5) is None  # the file's first rows are the old ones


def test_a_persisted_table_is_sampled(engine: DuckDBEngine, raw: LocalConnection) -> None:
    frame = engine.read(raw, ReadRequest(format="csv", path="a.csv"))
    table = engine.persist(
        engine.sql("SELECT g, count(*) AS n FROM this GROUP BY g ORDER BY g", {"this": frame})
    )
    sample = engine.sample(table, 2)
    assert sample is not None
    assert sample.num_rows == 2


def test_contract_default_reads_only_the_first_batch(engine: DuckDBEngine) -> None:
    """The default implementation (used by engines that do not override it) stops after one
    batch."""
    reads: list[int] = []

    def batches() -> Iterator[pa.RecordBatch]:
        for i in range(3):
            reads.append(i)
            yield pa.record_batch({"x": list(range(i * 10, i * 10 + 10))})

    class ArrowEngine(DuckDBEngine):
        def to_arrow(self, frame: object) -> pa.RecordBatchReader:
            return pa.RecordBatchReader.from_batches(pa.schema({"x": pa.int64()}), batches())

    sample = Engine.sample(ArrowEngine(), object(), 4)
    assert sample is not None
    assert sample.column("x").to_pylist() == [0, 1, 2, 3]
    assert reads == [0]


def test_contract_default_on_an_empty_frame_gives_an_empty_table(engine: DuckDBEngine) -> None:
    empty = engine.sql("SELECT 1 AS x WHERE false", {})
    sample = Engine.sample(engine, empty, 5)
    assert sample is not None
    assert sample.num_rows == 0
    assert sample.column_names == ["x"]
