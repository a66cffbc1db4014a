"""The reports: section and the node keys reports read: defaults, validation, clear errors."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from odibi_core.config.loader import load_project
from odibi_core.config.models import ReportsConfig
from odibi_core.errors import ConfigError

PIPELINE = """
pipelines:
  - pipeline: p
    nodes:
      - {name: a, read: {connection: raw, path: a.csv}, mask_columns: [email]}
connections:
  raw: {type: local}
"""


def test_defaults_are_the_documented_ones() -> None:
    settings = ReportsConfig()
    assert settings.enabled is True
    assert settings.path == ".odibi/reports"
    assert settings.keep_last == 50
    assert settings.max_age_days is None
    assert settings.samples is False  # rows are raw data: opt in
    assert settings.sample_rows == 5
    assert settings.profile is False


def test_reports_section_and_mask_columns_load(write_project: Callable[..., Path]) -> None:
    path = write_project(
        "project: x\nreports: {keep_last: null, max_age_days: 7, sample_rows: 3}\n" + PIPELINE
    )
    project = load_project(path)
    assert project.config.reports.keep_last is None
    assert project.config.reports.max_age_days == 7
    assert project.config.reports.sample_rows == 3
    assert project.config.pipelines[0].nodes[0].mask_columns == ["email"]


def test_unknown_reports_key_names_file_line_and_suggests(
    write_project: Callable[..., Path],
) -> None:
    path = write_project("project: x\nreports:\n  keep_lst: 3\n" + PIPELINE)
    with pytest.raises(ConfigError) as info:
        load_project(path)
    assert "odibi.yaml:3" in info.value.message
    assert "reports.keep_lst" in info.value.message
    assert "keep_last" in info.value.message


@pytest.mark.parametrize(
    ("key", "value"),
    [("keep_last", 0), ("max_age_days", 0), ("sample_rows", 0), ("sample_rows", 1000)],
)
def test_out_of_range_values_are_rejected(
    write_project: Callable[..., Path], key: str, value: int
) -> None:
    path = write_project(f"project: x\nreports: {{{key}: {value}}}\n" + PIPELINE)
    with pytest.raises(ConfigError, match=f"reports.{key}"):
        load_project(path)
