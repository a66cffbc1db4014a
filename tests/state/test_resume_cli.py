"""``odibi run --resume`` through the CLI: reuse exactly the unchanged, successful nodes."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from odibi_core.testing.cli import run_odibi

PROJECT = """
project: resume
connections:
  raw: {type: local, base_path: ./data}
  lake: {type: local, base_path: ./lake}
pipelines:
  - pipeline: sales
    on_error: continue
    nodes:
      - name: source
        read: {connection: raw, path: orders.csv}
      - name: cleaned
        depends_on: [source]
        transform:
          steps:
            - "SELECT order_id, amount FROM source WHERE amount > 0"
        write: {connection: lake, path: cleaned.parquet}
      - name: totals
        depends_on: [cleaned]
        transform:
          steps:
            - "SELECT count(*) AS orders, CAST(sum(amount) AS BIGINT) AS revenue FROM cleaned"
        write: {connection: lake, path: totals.parquet}
      - name: checked
        depends_on: [totals]
        transform:
          steps:
            - function: fail_if_asked
        write: {connection: lake, path: checked.parquet}
      - name: report
        depends_on: [checked]
        write: {connection: lake, path: report.csv}
      - name: regions
        read: {connection: raw, path: regions.csv}
        write: {connection: lake, path: regions.parquet}
"""

TRANSFORMS = '''
import os

from odibi_core import transform


@transform(frame="arrow")
def fail_if_asked(table):
    """Fail while FAIL_CHECKED is set (a failure that goes away without a config change)."""
    if os.environ.get("FAIL_CHECKED"):
        raise RuntimeError("checked failed on purpose")
    return table
'''


def statuses(result) -> dict[str, str]:
    (run,) = json.loads(result.stdout)
    return {name: node["status"] for name, node in run["nodes"].items()}


@pytest.fixture
def project(write_project: Callable[..., Path]) -> Path:
    return write_project(
        PROJECT,
        files={
            "data/orders.csv": "order_id,amount\n1,10\n2,-1\n3,5\n",
            "data/regions.csv": "region\nnorth\nsouth\n",
            "transforms.py": TRANSFORMS,
        },
    )


def test_resume_skips_exactly_the_unchanged_successful_nodes(project: Path) -> None:
    lake = project.parent / "lake"
    failed = run_odibi(["run", str(project), "--json"], extra_env={"FAIL_CHECKED": "1"})
    assert failed.returncode == 1, failed.stderr
    assert statuses(failed) == {
        "source": "success",
        "regions": "success",
        "cleaned": "success",
        "totals": "success",
        "checked": "failed",
        "report": "skipped",
    }
    mtimes = {p.name: p.stat().st_mtime_ns for p in lake.iterdir()}

    resumed = run_odibi(["run", str(project), "--resume", "--json"])
    assert resumed.returncode == 0, resumed.stderr
    assert statuses(resumed) == {
        "source": "unchanged",
        "regions": "unchanged",
        "cleaned": "unchanged",
        "totals": "unchanged",
        "checked": "success",
        "report": "success",
    }
    (run,) = json.loads(resumed.stdout)
    assert "config unchanged, output exists" in run["nodes"]["cleaned"]["skipped_reason"]
    assert "its last run failed" in resumed.stderr  # why checked runs again is reported
    for name in ("cleaned.parquet", "totals.parquet", "regions.parquet"):
        assert (lake / name).stat().st_mtime_ns == mtimes[name], f"{name} was rewritten"
    assert (lake / "report.csv").read_text().splitlines() == ["orders,revenue", "2,15"]

    again = run_odibi(["run", str(project), "--resume", "--json"])
    assert set(statuses(again).values()) == {"unchanged"}


def test_editing_a_nodes_sql_reruns_it_and_its_dependents(project: Path) -> None:
    assert run_odibi(["run", str(project)]).returncode == 0
    text = project.read_text().replace("WHERE amount > 0", "WHERE amount > 5")
    project.write_text(text)
    edited = run_odibi(["run", str(project), "--resume", "--json"])
    assert edited.returncode == 0, edited.stderr
    assert statuses(edited) == {
        "source": "success",
        "regions": "unchanged",
        "cleaned": "success",
        "totals": "success",
        "checked": "success",
        "report": "success",
    }
    assert (project.parent / "lake" / "report.csv").read_text().splitlines() == [
        "orders,revenue",
        "1,10",
    ]


def test_a_missing_output_makes_its_node_run_again(project: Path) -> None:
    assert run_odibi(["run", str(project)]).returncode == 0
    (project.parent / "lake" / "regions.parquet").unlink()
    resumed = run_odibi(["run", str(project), "--resume", "--json"])
    assert resumed.returncode == 0, resumed.stderr
    assert statuses(resumed)["regions"] == "success"
    assert "its output is missing" in resumed.stderr
    assert {s for n, s in statuses(resumed).items() if n != "regions"} == {"unchanged"}


def test_resume_without_any_recorded_run_runs_everything(project: Path) -> None:
    result = run_odibi(["run", str(project), "--resume", "--json"])
    assert result.returncode == 0, result.stderr
    assert set(statuses(result).values()) == {"success"}
