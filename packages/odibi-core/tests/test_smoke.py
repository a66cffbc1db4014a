"""The quickstart template runs end to end through the in-process API."""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path

import pyarrow.parquet as pq
from odibi_core.config.loader import load_project
from odibi_core.execution.runner import run_project


def test_template_project_runs_and_writes_parquet(tmp_path: Path) -> None:
    template = Path(str(resources.files("odibi_core.cli") / "template"))
    shutil.copytree(template, tmp_path / "p")
    project = load_project(tmp_path / "p" / "odibi.yaml")
    from odibi_core.plugins.manager import create_plugin_manager

    results = run_project(project, create_plugin_manager())
    assert [r.status for r in results] == ["success"]
    totals = pq.read_table(tmp_path / "p" / "lake" / "region_totals.parquet").to_pylist()
    assert [row["region"] for row in totals] == ["east", "north", "south", "west"]
    assert sum(row["orders"] for row in totals) == 23
