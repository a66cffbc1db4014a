"""Incremental reads with the duckdb engine and local CSV files, through the CLI.

The high-water mark lives in state; a run reads only rows past it, and the mark advances only
when the node's write succeeded.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from odibi_core.testing.cli import run_odibi
from odibi_core.testing.state_files import stored_pipeline

PROJECT = """
project: incremental
connections:
  raw: {type: local, base_path: ./data}
  lake: {type: local, base_path: ./lake}
pipelines:
  - pipeline: events
    nodes:
      - name: events
        read:
          connection: raw
          path: events.csv
          incremental: {column: ts}
        write: {connection: lake, path: events.parquet, mode: append}
"""

HEADER = "id,ts,value\n"
FIRST = "1,2024-01-01 10:00:00,a\n2,2024-01-01 11:00:00,b\n3,2024-01-02 09:30:00,c\n"
SECOND = "4,2024-01-03 08:00:00,d\n5,2024-01-03 09:00:00,e\n"
THIRD = "6,2024-01-04 12:00:00,f\n"


def mark(project: Path, environment: str = "(default)") -> dict | None:
    stored = (
        stored_pipeline(project.parent / ".odibi" / "state.json", "events")["high_water_marks"]
        .get(environment, {})
        .get("events")
    )
    return None if stored is None else {"type": stored["type"], "value": stored["value"]}


def ids(project: Path) -> list[int]:
    return sorted(
        pq.read_table(project.parent / "lake" / "events.parquet").column("id").to_pylist()
    )


def rows_out(result) -> int:
    (run,) = json.loads(result.stdout)
    return run["nodes"]["events"]["rows_out"]


def counts(result) -> tuple[int | None, int | None, int | None]:
    """(rows read, rows written by the run, rows in the target) of node ``events``."""
    (run,) = json.loads(result.stdout)
    node = run["nodes"]["events"]
    return node["rows_in"], node["rows_written"], node["rows_total"]


@pytest.fixture
def project(write_project: Callable[..., Path]) -> Path:
    return write_project(PROJECT, files={"data/events.csv": HEADER + FIRST})


def test_incremental_reads_only_new_rows_and_advances_the_mark(project: Path) -> None:
    first = run_odibi(["run", str(project), "--json"])
    assert first.returncode == 0, first.stderr
    assert rows_out(first) == 3
    assert mark(project) == {"type": "datetime", "value": "2024-01-02T09:30:00"}

    with (project.parent / "data" / "events.csv").open("a") as handle:
        handle.write(SECOND)
    second = run_odibi(["run", str(project), "--json"])
    assert second.returncode == 0, second.stderr
    assert ids(project) == [1, 2, 3, 4, 5]
    assert mark(project) == {"type": "datetime", "value": "2024-01-03T09:00:00"}
    assert counts(second) == (2, 2, 5)  # read 2, appended 2, the target now holds 5

    nothing_new = run_odibi(["run", str(project), "--json"])
    assert nothing_new.returncode == 0, nothing_new.stderr
    assert counts(nothing_new) == (0, 0, 5)
    assert ids(project) == [1, 2, 3, 4, 5]
    assert mark(project) == {"type": "datetime", "value": "2024-01-03T09:00:00"}
    shown = run_odibi(["state", "show", str(project)])
    assert (
        "high-water mark of events in environment (default), target lake:events.parquet: "
        "2024-01-03T09:00:00"
    ) in shown.stdout


def test_the_mark_does_not_advance_when_the_write_fails(project: Path) -> None:
    assert run_odibi(["run", str(project)]).returncode == 0
    before = mark(project)
    with (project.parent / "data" / "events.csv").open("a") as handle:
        handle.write(SECOND)
    output = project.parent / "lake" / "events.parquet"
    good = output.read_bytes()
    output.write_bytes(b"not parquet at all")  # the append must read it: the write fails
    failed = run_odibi(["run", str(project), "--json"])
    assert failed.returncode == 1, failed.stderr
    assert json.loads(failed.stdout)[0]["nodes"]["events"]["status"] == "failed"
    assert mark(project) == before
    assert output.read_bytes() == b"not parquet at all"  # a failed write leaves the output alone

    output.write_bytes(good)
    with (project.parent / "data" / "events.csv").open("a") as handle:
        handle.write(THIRD)
    retried = run_odibi(["run", str(project), "--json"])
    assert retried.returncode == 0, retried.stderr
    assert ids(project) == [1, 2, 3, 4, 5, 6]  # the rows of the failed run were read again, once
    assert mark(project) == {"type": "datetime", "value": "2024-01-04T12:00:00"}
