"""The ``hadoop`` connection: Hadoop URIs end to end on Spark, refused at validate time
elsewhere."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from odibi_core.config.loader import build_project, read_project_source
from odibi_core.errors import ConfigError
from odibi_core.plugins.manager import create_plugin_manager
from odibi_core.testing.parity import run_on_engine

PROJECT = """\
project: uris
engine: {engine}
connections:
  lake: {{type: hadoop, base_uri: "file://{root}/lake"}}
pipelines:
  - pipeline: p
    nodes:
      - name: events
        read: {{connection: lake, format: parquet, path: "raw/*.parquet"}}
      - name: totals
        depends_on: [events]
        transform:
          steps:
            - SELECT kind, sum(n) AS n FROM events GROUP BY kind
        validation: {{not_null: [kind], unique: [kind]}}
        write: {{connection: lake, format: csv, path: marts/totals.csv}}
"""


def write(write_project: Callable[..., Path], root: Path, engine: str) -> Path:
    raw = root / "lake" / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table({"kind": ["a", "b"], "n": [1, 2]}), raw / "one.parquet")
    pq.write_table(pa.table({"kind": ["a"], "n": [10]}), raw / "two.parquet")
    return write_project(PROJECT.format(engine=engine, root=root))


def test_a_hadoop_connection_with_a_non_spark_engine_fails_at_validate_time(
    write_project: Callable[..., Path], tmp_path: Path
) -> None:
    path = write(write_project, tmp_path, "duckdb")
    with pytest.raises(ConfigError) as info:
        build_project(read_project_source(path), create_plugin_manager())
    assert "odibi.yaml:9" in info.value.message
    assert "connection 'lake' (type hadoop) needs an engine with hadoop_fs" in info.value.message
    assert "engine 'duckdb'" in info.value.message


def test_base_uri_must_be_a_uri(write_project: Callable[..., Path], tmp_path: Path) -> None:
    path = write_project(PROJECT.format(engine="spark", root=tmp_path).replace('"file://', '"'))
    with pytest.raises(ConfigError, match="is not a URI"):
        build_project(read_project_source(path), create_plugin_manager())


@pytest.mark.spark
def test_spark_reads_and_publishes_through_hadoop_uris(
    spark_session: Any, write_project: Callable[..., Path], tmp_path: Path
) -> None:
    path = write(write_project, tmp_path, "spark")
    for _ in range(2):  # the second run replaces the first output
        results = run_on_engine(path, "spark")
        assert [r.status for r in results] == ["success"], results[0].nodes
        assert results[0].nodes["totals"].rows_out == 2
    marts = tmp_path / "lake" / "marts"
    assert sorted((marts / "totals.csv").read_text().split()) == ["a,11", "b,2", "kind,n"]
    assert [n for n in os.listdir(marts) if ".odibi-" in n] == []
