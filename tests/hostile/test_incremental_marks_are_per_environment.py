"""Promise: incremental progress belongs to one environment, counts say what this run did, and
``--full-refresh`` rebuilds.

Through the CLI: runs without ``--env`` advance their own mark; the first ``--env prod`` run reads
everything into prod's target (it never inherits the other environment's mark); a run that finds
nothing new says "0 rows (target N)"; ``--full-refresh`` ignores the mark and rebuilds the target
instead of appending to it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pyarrow.parquet as pq
from odibi_core.testing.cli import run_odibi
from odibi_core.testing.state_files import stored_pipeline

PROJECT = """
project: envs
connections:
  raw: {type: local, base_path: ./data}
  lake: {type: local, base_path: ./lake}
environments:
  prod:
    connections:
      lake: {type: local, base_path: ./lake_prod}
pipelines:
  - pipeline: events
    nodes:
      - name: events
        read:
          connection: raw
          path: events.csv
          incremental: {column: id}
        write: {connection: lake, path: events.parquet, mode: append}
"""


def node(result) -> dict:
    (run,) = json.loads(result.stdout)
    return run["nodes"]["events"]


def ids(folder: Path) -> list[int]:
    return sorted(pq.read_table(folder / "events.parquet").column("id").to_pylist())


def test_marks_per_environment_honest_counts_and_full_refresh(
    write_project: Callable[..., Path],
) -> None:
    project = write_project(PROJECT, files={"data/events.csv": "id,v\n1,a\n2,b\n3,c\n"})
    root = project.parent
    first = run_odibi(["run", str(project), "--json"])
    assert first.returncode == 0, first.stderr
    with (root / "data" / "events.csv").open("a") as handle:
        handle.write("4,d\n5,e\n")

    prod = run_odibi(["run", str(project), "--env", "prod", "--json"])
    assert prod.returncode == 0, prod.stderr
    assert ids(root / "lake_prod") == [1, 2, 3, 4, 5], "prod read everything: no inherited mark"
    assert (node(prod)["rows_in"], node(prod)["rows_written"], node(prod)["rows_total"]) == (
        5,
        5,
        5,
    )

    dev = run_odibi(["run", str(project)])
    assert dev.returncode == 0, dev.stderr
    assert ids(root / "lake") == [1, 2, 3, 4, 5]
    assert "2 rows (target 5)" in dev.stdout  # appended 2; the target holds 5

    nothing_new = run_odibi(["run", str(project), "--env", "prod"])
    assert nothing_new.returncode == 0, nothing_new.stderr
    assert "0 rows (target 5)" in nothing_new.stdout
    assert ids(root / "lake_prod") == [1, 2, 3, 4, 5]

    rebuilt = run_odibi(["run", str(project), "--full-refresh", "--json"])
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert ids(root / "lake") == [1, 2, 3, 4, 5], "rebuilt, not appended a second time"
    assert (node(rebuilt)["rows_written"], node(rebuilt)["rows_total"]) == (5, 5)

    marks = stored_pipeline(root / ".odibi" / "state.json", "events")["high_water_marks"]
    assert {env: (m["events"]["target"], m["events"]["value"]) for env, m in marks.items()} == {
        "(default)": ("lake:events.parquet", 5),
        "prod": ("lake:events.parquet", 5),
    }
