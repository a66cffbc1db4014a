"""Strict CSV reading: malformed files fail naming file and line; lenient reads are opt-in."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from odibi_core.connections.local import LocalConnection
from odibi_core.contracts.engine import Engine
from odibi_core.contracts.requests import ReadRequest
from odibi_core.engines.csv_strict import (
    MalformedCsv,
    csv_reader_options,
    find_ragged_row,
    malformed_csv_error,
)
from odibi_core.engines.duckdb_engine import DuckDBEngine


def test_lenient_is_removed_and_translated_and_other_relaxations_count() -> None:
    assert csv_reader_options({"lenient": True}) == ({"null_padding": True}, False)
    assert csv_reader_options({"delim": ";"}) == ({"delim": ";"}, True)
    for relaxed in (
        {"ignore_errors": True},
        {"strict_mode": False},
        {"NULL_PADDING": True},
        {"auto_detect": False},
    ):
        assert csv_reader_options(relaxed)[1] is False
    assert csv_reader_options(None) == ({}, True)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("a,b\n1,2,3,4\n5\n", "line 2: 4 field(s) where the header has 2 (separated by ',')"),
        ("a;b;c\n1;2;3\n\n4;5\n", "line 4: 2 field(s) where the header has 3 (separated by ';')"),
        ('a,b\n1,"x"y\n', "line 2: ',' expected after '\"'"),
        ("a,b\n1,2\n", None),
        ("just one column\n1\n2,3\n", None),
    ],
)
def test_find_ragged_row(tmp_path: Path, text: str, problem: str | None) -> None:
    (tmp_path / "f.csv").write_text(text)
    assert find_ragged_row(str(tmp_path / "f.csv"), None) == problem
    assert find_ragged_row(str(tmp_path / "missing.csv"), None) is None


def test_duckdb_messages_past_the_sample_become_malformed_csv() -> None:
    message = (
        "Invalid Input Error: CSV Error on Line: 30002\nOriginal Line: 1,2,3,4\nExpected Number of "
        "Columns: 2 Found: 3\nPossible fixes:\n* Enable null padding\n\n  file = /data/x.csv\n"
        "  delimiter = , (Auto-Detected)\n"
    )
    error = malformed_csv_error(message)
    assert error is not None
    assert error.message == "malformed CSV /data/x.csv, line 30002: 4 field(s) where 2 are expected"
    quote = (
        'Invalid Input Error: CSV Error on Line: 7\nOriginal Line: 1,"2\n\n'
        "Value with unterminated quote found.\n\nPossible fixes:\n  file = q.csv\n"
    )
    assert (
        malformed_csv_error(quote).message
        == "malformed CSV q.csv, line 7: Value with unterminated quote found."
    )  # type: ignore[union-attr]
    assert malformed_csv_error("Binder Error: no such column") is None


@st.composite
def ragged_files(draw: st.DrawFn) -> tuple[int, list[list[int]]]:
    """A header width and data rows, at least one of another width."""
    width = draw(st.integers(2, 5))
    rows = draw(
        st.lists(
            st.lists(st.integers(0, 999), min_size=1, max_size=width + 2), min_size=1, max_size=40
        )
    )
    bad = draw(st.integers(0, len(rows) - 1))
    if len(rows[bad]) == width:
        rows[bad] = rows[bad] + [0]
    return width, rows


@pytest.fixture(scope="module")
def engines() -> Iterator[dict[str, Engine]]:
    from odibi_engine_pandas.engine import PandasEngine

    made: dict[str, Engine] = {"duckdb": DuckDBEngine(), "pandas": PandasEngine()}
    yield made
    for engine in made.values():
        engine.close()


@settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(case=ragged_files(), engine_name=st.sampled_from(["duckdb", "pandas"]))
def test_generated_ragged_files_fail_at_a_bad_line_never_silently(
    tmp_path: Path, engines: dict[str, Engine], case: tuple[int, list[list[int]]], engine_name: str
) -> None:
    width, rows = case
    header = ",".join(f"c{i}" for i in range(width))
    (tmp_path / "in.csv").write_text(
        header + "\n" + "".join(",".join(map(str, r)) + "\n" for r in rows)
    )
    bad_lines = {i + 2 for i, row in enumerate(rows) if len(row) != width}
    engine = engines[engine_name]
    # lazy engines fail when the frame is consumed, eager ones in read
    with pytest.raises(MalformedCsv) as info:  # noqa: PT012
        frame = engine.read(
            LocalConnection("raw", tmp_path), ReadRequest(format="csv", path="in.csv")
        )
        engine.to_arrow(frame).read_all()
    found = re.search(r"in\.csv, line (\d+): ", info.value.message)
    assert found is not None, (info.value.message, bad_lines)
    assert int(found.group(1)) in bad_lines, (info.value.message, bad_lines)
