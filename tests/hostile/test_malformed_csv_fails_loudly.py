"""Promise: a malformed CSV fails its read naming the file, the line and what was wrong; lenient
parsing is an explicit, per-read opt-in (item 11 of the hostile review).

duckdb and pandas run here as ``odibi run`` subprocesses; the spark engine passes the same
promises in its engine contract suite (``odibi_core.testing.engine_contract_files``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from .conftest import odibi

PROJECT = """\
project: csv
engine: ENGINE
connections:
  raw: {type: local, base_path: ./data}
  lake: {type: local, base_path: ./lake}
reports: {enabled: false}
pipelines:
  - pipeline: p
    nodes:
      - name: load
        read: {connection: raw, path: in.csv, options: OPTIONS}
        write: {connection: lake, path: out.csv}
"""
RAGGED = "a,b\n1,2,3,4\n5\n"
LATE = "a,b\n" + "".join(f"{i},{i}\n" for i in range(30_000)) + "1,2,3,4\n"


@pytest.mark.parametrize(
    ("engine", "text", "problem"),
    [
        ("duckdb", RAGGED, "line 2: 4 field(s) where the header has 2 (separated by ',')"),
        ("pandas", RAGGED, "line 2: 4 field(s) where the header has 2 (separated by ',')"),
        (
            "duckdb",
            LATE,
            "line 30002: 4 field(s) where 2 are expected",
        ),  # past the sniffer's sample
    ],
)
def test_a_ragged_csv_fails_naming_file_line_and_problem(
    project: Callable[..., Path], engine: str, text: str, problem: str
) -> None:
    root = project(
        PROJECT.replace("ENGINE", engine).replace("OPTIONS", "{}"), {"data/in.csv": text}
    )
    result = odibi("run", cwd=root)
    assert result.returncode == 1
    assert f"malformed CSV {root / 'data' / 'in.csv'}, {problem}" in result.stdout + result.stderr
    assert not (root / "lake" / "out.csv").exists()


@pytest.mark.parametrize("engine", ["duckdb", "pandas"])
def test_lenient_parsing_is_an_explicit_opt_in(project: Callable[..., Path], engine: str) -> None:
    root = project(
        PROJECT.replace("ENGINE", engine).replace("OPTIONS", "{lenient: true}"),
        {"data/in.csv": RAGGED},
    )
    result = odibi("run", cwd=root)
    assert result.returncode == 0, result.stderr
    assert (root / "lake" / "out.csv").read_text().splitlines() == [
        "a,b,column2,column3",
        "1,2,3,4",
        "5,,,",
    ]
