"""A CSV read on DuckDB detects the file's dialect and types once, however often it is queried."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from odibi_core.connections.local import LocalConnection
from odibi_core.contracts.engine import ReadRequest, WriteRequest
from odibi_core.engines.duck_csv_pin import PIN_SAMPLE, pinned_arguments
from odibi_core.engines.duckdb_engine import DuckDBEngine


class CountingEngine(DuckDBEngine):
    """Records every statement the engine runs (the seam the counts below read)."""

    def __init__(self) -> None:
        super().__init__()
        self.statements: list[str] = []

    def _run(self, cursor, sql, *, user_sql=None, line_offset=0):  # type: ignore[no-untyped-def]
        self.statements.append(sql)
        return super()._run(cursor, sql, user_sql=user_sql, line_offset=line_offset)


@pytest.fixture
def engine() -> Iterator[CountingEngine]:
    engine = CountingEngine()
    yield engine
    engine.close()


def _sniffs(statements: list[str]) -> int:
    return sum("sniff_csv(" in s for s in statements)


def _detecting_reads(statements: list[str]) -> list[str]:
    """Statements that read the CSV with something left to detect (each would run the sniffer
    when bound): a pinned read gives the types (``columns``) and samples one row."""
    return [s for s in statements if "read_csv(" in s and not ("columns=" in s and PIN_SAMPLE in s)]


def test_a_csv_is_sniffed_once_for_schema_sample_downstream_sql_and_write(
    engine: CountingEngine, tmp_path: Path
) -> None:
    (tmp_path / "orders.csv").write_text(
        "id,name,amount,day\n"
        + "".join(f"{i},n{i},{i * 1.5},2024-01-{1 + i % 28:02d}\n" for i in range(50))
    )
    files = LocalConnection("files", tmp_path)
    frame = engine.read(files, ReadRequest(format="csv", path="orders.csv"))
    assert [(c.name, c.type) for c in engine.schema(frame)] == [
        ("id", "int64"),
        ("name", "string"),
        ("amount", "double"),
        ("day", "date32[day]"),
    ]
    sample = engine.sample(frame, 3)
    assert sample is not None
    assert sample.num_rows == 3
    doubled = engine.sql(
        "SELECT id, amount * 2 AS amount FROM orders WHERE id > 9", {"orders": frame}
    )
    total = engine.sql("SELECT count(*) AS n FROM doubled", {"doubled": doubled})
    engine.write(total, files, WriteRequest(mode="overwrite", format="csv", path="out.csv"))
    assert (tmp_path / "out.csv").read_text().splitlines() == ["n", "40"]
    assert _sniffs(engine.statements) == 1
    assert _detecting_reads(engine.statements) == []


def test_a_read_with_options_the_sniff_did_not_see_keeps_detecting(
    engine: CountingEngine, tmp_path: Path
) -> None:
    (tmp_path / "t.csv").write_text("a,b\n1,x\n2,y\n")
    files = LocalConnection("files", tmp_path)
    frame = engine.read(
        files, ReadRequest(format="csv", path="t.csv", options={"all_varchar": True})
    )
    assert [c.type for c in engine.schema(frame)] == ["string", "string"]
    assert _detecting_reads(engine.statements)  # not pinned: the option changes detection


def test_an_unexpected_prompt_shape_is_not_pinned() -> None:
    assert pinned_arguments(None, "'f.csv'") is None
    assert pinned_arguments("FROM read_csv('g.csv', auto_detect=false);", "'f.csv'") is None
    assert pinned_arguments("FROM read_csv('f.csv', delim=',');", "'f.csv'") is None
    assert (
        pinned_arguments("FROM read_csv('f.csv', auto_detect=false, delim=',');", "'f.csv'") is None
    )
    prompt = "FROM read_csv('f.csv', auto_detect=false, delim=',', columns={'a': 'BIGINT'});"
    assert (
        pinned_arguments(prompt, "'f.csv'") == "sample_size=1, delim=',', columns={'a': 'BIGINT'}"
    )
    sampled = prompt.replace("});", "}, sample_size=100);")
    assert pinned_arguments(sampled, "'f.csv'") == (
        "delim=',', columns={'a': 'BIGINT'}, sample_size=100"
    )


def test_a_pinned_read_keeps_duckdbs_row_estimate(engine: CountingEngine, tmp_path: Path) -> None:
    """With detection off DuckDB plans every CSV as 42 rows and may build a join's hash table on
    the big side; the pinned read keeps the estimate it derives from the file's size."""
    (tmp_path / "big.csv").write_text("id,v\n" + "".join(f"{i},{i % 7}\n" for i in range(20_000)))
    files = LocalConnection("files", tmp_path)
    frame = engine.read(files, ReadRequest(format="csv", path="big.csv"))
    plan = engine._cursor().execute(f"EXPLAIN SELECT * FROM {frame.ref}").fetchall()[0][1]
    estimates = [int(n.replace(",", "")) for n in re.findall(r"~([\d,]+) rows", plan)]
    assert estimates, plan
    assert min(estimates) > 1_000, plan
    assert _sniffs(engine.statements) == 1


CELLS = st.one_of(
    st.integers(-(10**6), 10**6).map(str),
    st.floats(-1e6, 1e6, allow_nan=False).map(lambda f: f"{f:.3f}"),
    st.dates(dt.date(1990, 1, 1), dt.date(2030, 1, 1)).map(str),
    st.text("abcxyz ;|", min_size=1, max_size=6).map(lambda t: t.strip() or "v"),
    st.just(""),
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    columns=st.integers(1, 4),
    rows=st.lists(st.lists(CELLS, min_size=4, max_size=4), min_size=1, max_size=8),
    delimiter=st.sampled_from([",", ";", "|"]),
)
def test_a_pinned_read_returns_what_detection_would(
    tmp_path_factory: pytest.TempPathFactory, columns: int, rows: list[list[str]], delimiter: str
) -> None:
    folder = tmp_path_factory.mktemp("pin")
    lines = [delimiter.join(f"c{i}" for i in range(columns))]
    lines += [delimiter.join(row[:columns]) for row in rows]
    (folder / "g.csv").write_text("\n".join(lines) + "\n")
    files = LocalConnection("files", folder)
    engine = CountingEngine()
    try:
        try:
            frame = engine.read(files, ReadRequest(format="csv", path="g.csv"))
        except Exception:
            return  # a file the strict check refuses is not read either way
        pinned = engine._query_few(engine._cursor(), f"SELECT * FROM {frame.ref}")
        detected = engine._query_few(
            engine._cursor(), f"SELECT * FROM read_csv('{folder / 'g.csv'}')"
        )
        assert pinned.column_names == detected.column_names
        assert pinned.to_pylist() == detected.to_pylist()
        assert [str(t) for t in getattr(pinned, "types", ())] == [
            str(t) for t in getattr(detected, "types", ())
        ]
    finally:
        engine.close()
