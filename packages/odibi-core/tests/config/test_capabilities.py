"""An engine that lacks a capability a project needs is refused when the project loads."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from odibi_core.config.loader import build_project, read_project_source
from odibi_core.errors import ConfigError, ExitCode
from odibi_core.plugins.hookspecs import hookimpl
from odibi_core.plugins.types import EngineSpec


class SqlOnlyEngine:
    """A plugin registering an engine that can run SQL over files and nothing else."""

    @hookimpl
    def odibi_engines(self) -> list[EngineSpec]:
        return [
            EngineSpec(
                "sqlonly",
                lambda options, ctx: None,
                None,
                "test engine",
                frozenset({"sql", "files"}),
            )
        ]


PROJECT = """\
project: caps
engine: {engine}
connections:
  raw: {{type: local, base_path: ./data}}
pipelines:
  - pipeline: p
    nodes:
      - name: orders
        read: {{connection: raw, path: orders.csv}}
      - name: enriched
        depends_on: [orders]
        transform:
          steps:
            - sql: SELECT * FROM orders
            - function: add_margin
"""


def load(write_project: Callable[..., Path], pm: Any, engine: str) -> Any:
    path = write_project(PROJECT.format(engine=engine))
    return build_project(read_project_source(path), pm)


def test_a_missing_capability_names_file_line_node_and_engine(
    write_project: Callable[..., Path], make_plugin_manager: Callable[..., Any]
) -> None:
    pm = make_plugin_manager(("sqlonly-plugin", SqlOnlyEngine()))
    with pytest.raises(ConfigError) as info:
        load(write_project, pm, "sqlonly")
    message = info.value.message
    assert "odibi.yaml:15" in message
    assert "pipelines[0].nodes[1].transform.steps[1]" in message
    assert "node 'enriched'" in message
    assert "Python (function) step" in message
    assert "engine 'sqlonly'" in message
    assert info.value.exit_code == ExitCode.CONFIG_INVALID


@pytest.mark.parametrize("engine", ["duckdb"])
def test_builtin_engines_accept_every_feature(
    write_project: Callable[..., Path], make_plugin_manager: Callable[..., Any], engine: str
) -> None:
    project = load(write_project, make_plugin_manager(), engine)
    assert project.config.engine == engine
