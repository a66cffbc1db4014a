"""Fixtures of the cross-engine parity tests: project copies and the engines to compare."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest


@pytest.fixture
def copy_project(tmp_path: Path) -> Callable[[Path, str], Path]:
    """Copy a project folder under ``tmp_path/<label>`` (without old outputs); return its YAML."""

    def copy(source: Path, label: str) -> Path:
        target = tmp_path / label
        shutil.copytree(
            source, target, ignore=shutil.ignore_patterns("lake", "out", ".odibi", "__pycache__")
        )
        return target / "odibi.yaml"

    return copy


@pytest.fixture(params=["pandas", "spark"])
def other_engine(request: pytest.FixtureRequest) -> str:
    """Each engine compared with the duckdb baseline (spark shares the test run's session)."""
    if request.param == "spark":
        request.getfixturevalue("spark_session")
        request.applymarker(pytest.mark.spark)
    return str(request.param)
