"""``imports:`` merges: lists append, mappings merge, a name defined twice names both places."""

from __future__ import annotations

from pathlib import Path

import pytest
from odibi_core.config.loader import load_project, read_project_source
from odibi_core.errors import ConfigError, PlanError

ROOT = """\
project: split
imports: [connections.yaml, sales.yaml]
pipelines:
  - pipeline: main
    nodes:
      - name: a
        read: {connection: raw, path: a.csv}
"""
CONNECTIONS = """\
connections:
  raw: {type: local, base_path: ./data}
"""
SALES = """\
connections:
  lake: {type: local, base_path: ./lake}
pipelines:
  - pipeline: sales
    nodes:
      - name: s
        read: {connection: raw, path: s.csv}
        write: {connection: lake, path: s.parquet}
"""


def _project(tmp_path: Path, root: str = ROOT, sales: str = SALES) -> Path:
    (tmp_path / "connections.yaml").write_text(CONNECTIONS)
    (tmp_path / "sales.yaml").write_text(sales)
    (tmp_path / "odibi.yaml").write_text(root)
    return tmp_path / "odibi.yaml"


def test_pipelines_and_connections_of_every_file_are_kept(tmp_path: Path) -> None:
    project = load_project(_project(tmp_path))
    assert [p.pipeline for p in project.config.pipelines] == ["sales", "main"]  # imported first
    assert set(project.config.connections) == {"raw", "lake"}


def test_locations_follow_appended_items_to_their_own_file(tmp_path: Path) -> None:
    source = read_project_source(_project(tmp_path))
    assert str(source.locations.find(("pipelines", 0, "nodes", 0, "read"))).endswith("sales.yaml:7")
    assert str(source.locations.find(("pipelines", 1, "nodes", 0, "read"))).endswith("odibi.yaml:7")
    assert str(source.locations.find(("connections", "raw"))).endswith("connections.yaml:2")


def test_a_typo_in_an_imported_pipeline_is_located_in_that_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load_project(_project(tmp_path, sales=SALES.replace("write:", "wrte:")))
    assert (
        "sales.yaml:8: pipelines[0].nodes[0].wrte: unknown key 'wrte' (did you mean 'write'?)"
        in info.value.message
    )


def test_a_connection_defined_in_two_files_names_both(tmp_path: Path) -> None:
    sales = SALES.replace(
        "lake: {type: local, base_path: ./lake}", "raw: {type: local, base_path: ./other}"
    )
    with pytest.raises(ConfigError) as info:
        read_project_source(_project(tmp_path, sales=sales))
    message = info.value.message
    assert "sales.yaml:2: connections.raw: connection 'raw' is also defined at" in message
    assert "connections.yaml:2" in message


def test_a_pipeline_name_used_in_two_files_names_both(tmp_path: Path) -> None:
    with pytest.raises(PlanError) as info:
        load_project(_project(tmp_path, root=ROOT.replace("pipeline: main", "pipeline: sales")))
    message = info.value.message
    assert "odibi.yaml:4: pipelines[1].pipeline: pipeline 'sales' is also defined at" in message
    assert "sales.yaml:4" in message


def test_scalars_of_the_importing_file_win_and_lists_concatenate(tmp_path: Path) -> None:
    (tmp_path / "common.yaml").write_text(
        "project: common\nworkers: 2\nplugins: {deny: [odibi-otel]}\n"
    )
    (tmp_path / "odibi.yaml").write_text(
        "imports: [common.yaml]\nproject: own\nplugins: {deny: [odibi-x]}\n"
        + ROOT.split("\n", 2)[2]
        + "connections:\n  raw: {type: local, base_path: ./data}\n"
    )
    project = load_project(tmp_path / "odibi.yaml")
    assert project.config.project == "own"
    assert project.config.workers == 2
    assert project.config.plugins.deny == ["odibi-otel", "odibi-x"]


def test_missing_imports_and_cycles_are_each_reported(tmp_path: Path) -> None:
    (tmp_path / "loop.yaml").write_text("imports: [odibi.yaml]\n")
    (tmp_path / "odibi.yaml").write_text(
        "imports: [nowhere.yaml, loop.yaml, .]\n" + ROOT.split("\n", 2)[2]
    )
    with pytest.raises(ConfigError) as info:
        read_project_source(tmp_path / "odibi.yaml")
    lines = info.value.message.splitlines()
    assert any("imported file nowhere.yaml does not exist" in line for line in lines)
    assert any("import cycle:" in line and "loop.yaml" in line for line in lines)
    assert any("imported file . is a folder" in line for line in lines)
