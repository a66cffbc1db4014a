"""``--env NAME`` may switch the engine and its options (one YAML, several engines)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import odibi_engine_pandas.plugin
from odibi_core.config.loader import build_project, read_project_source

PROJECT = """\
project: envs
engine: duckdb
connections:
  raw: {type: local, base_path: ./data}
pipelines:
  - pipeline: p
    nodes:
      - name: orders
        read: {connection: raw, path: orders.csv}
environments:
  compat:
    engine: pandas
    engine_options: {dtype_backend: numpy_nullable}
"""


def test_an_environment_overlay_switches_the_engine_and_keeps_line_numbers(
    write_project: Callable[..., Path], make_plugin_manager: Callable[..., Any]
) -> None:
    path = write_project(PROJECT)
    source = read_project_source(path, environment="compat")
    project = build_project(
        source, make_plugin_manager(("odibi-engine-pandas", odibi_engine_pandas.plugin))
    )
    assert project.config.engine == "pandas"
    assert project.engine_options.dtype_backend == "numpy_nullable"  # type: ignore[union-attr]
    assert source.locations.find(("engine",)).line == 12  # type: ignore[union-attr]
    assert build_project(read_project_source(path), make_plugin_manager()).config.engine == "duckdb"
