"""DuckDB errors become engine errors whose caret points into the user's SQL (generated layouts)."""

from __future__ import annotations

from collections.abc import Iterator

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from odibi_core.contracts.engine import CURRENT_FRAME_NAME
from odibi_core.engines.duck_errors import from_duckdb, split_excerpt, user_position
from odibi_core.engines.duckdb_engine import DuckDBEngine, EngineError
from odibi_core.errors import SqlPosition
from odibi_core.execution.failure import resolve_position, sql_excerpt


@pytest.fixture(scope="module")
def engine() -> Iterator[DuckDBEngine]:
    engine = DuckDBEngine()
    yield engine
    engine.close()


def test_the_excerpt_is_split_from_the_message_and_its_lines_kept() -> None:
    message = (
        'Binder Error: Referenced column "regon" not found in FROM clause!\n'
        'Candidate bindings: "region"\n\nLINE 3:   upper(regon)\n                ^^^^^'
    )
    lines, excerpt = split_excerpt(message)
    assert lines == [
        'Binder Error: Referenced column "regon" not found in FROM clause!',
        'Candidate bindings: "region"',
    ]
    assert excerpt == (3, "  upper(regon)", 8, 5)


def test_a_windowed_excerpt_is_found_in_the_users_line() -> None:
    sql = "SELECT 1 AS a,\n" + "x" * 90 + " + nope AS b"
    shown = "..." + ("x" * 40) + " + nope AS b"
    position = user_position(sql, (3, shown, 3 + 40 + 3, 4), line_offset=1)
    assert position == SqlPosition(2, 94, 4)
    assert sql.splitlines()[1][position.column - 1 :].startswith("nope")


def test_a_caret_under_a_statement_of_odibis_own_is_dropped() -> None:
    con = duckdb.connect()
    con.execute("CREATE VIEW v AS SELECT CAST('x' AS VARCHAR) AS s")
    with pytest.raises(duckdb.Error) as info:
        con.execute("COPY (SELECT CAST(s AS INTEGER) FROM v) TO '/dev/null' (FORMAT csv)")
    error = from_duckdb(info.value, EngineError)
    assert error.position is None
    assert "LINE" not in error.message
    assert error.computing
    assert from_duckdb(duckdb.ParserException("Parser Error: x"), EngineError).computing is False


identifier = st.sampled_from(["nope", "missing_col", "zz_top"])
indent = st.text(" ", max_size=12)
padding = st.integers(min_value=0, max_value=140)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    before=st.integers(0, 4), after=st.integers(0, 3), indent=indent, pad=padding, bad=identifier
)
def test_the_caret_points_at_the_unknown_column_wherever_it_is(
    engine: DuckDBEngine, before: int, after: int, indent: str, pad: int, bad: str
) -> None:
    import pyarrow as pa

    frame = engine.from_arrow(pa.table({"id": [1], "name": ["a"]}))
    filler = " + ".join(["id"] * (pad // 5 + 1))
    lines = ["SELECT id,"] + [f"  {filler} AS f{i}," for i in range(before)]
    lines.append(f"{indent}{filler} + {bad} AS broken")
    lines += [f"  , id AS g{i}" for i in range(after)] + ["FROM this"]
    sql = "\n".join(lines)
    with pytest.raises(EngineError) as info:
        engine.sql(sql, {CURRENT_FRAME_NAME: frame})
    position = resolve_position(sql, info.value.position)
    assert position is not None, info.value.message
    assert position.line == before + 2
    assert sql.splitlines()[position.line - 1][position.column - 1 :].startswith(bad)
    excerpt = (sql_excerpt(sql, info.value.position) or "").splitlines()
    shown = next(
        i for i, line in enumerate(excerpt) if line.lstrip().startswith(f"{position.line} |")
    )
    assert excerpt[shown + 1].index("^") == excerpt[shown].index(bad, excerpt[shown].index("|"))
