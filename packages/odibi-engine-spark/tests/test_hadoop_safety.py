"""The ``hadoop`` connection keeps paths under ``base_uri``, stages under owner-tagged names,
recovers what killed writers left, and never lists staging files; Spark's CSV failures name
file and line."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from odibi_core.files.owners import Owner, current_owner
from odibi_core.files.paths import PathOutsideConnection
from odibi_core.files.temp_names import ASIDE_MARKER, STAGING_MARKER
from odibi_engine_spark.connection import HadoopConnection
from odibi_engine_spark.csv_errors import malformed_spark_csv


def dead_token() -> str:
    me = current_owner()
    return Owner(me.host, me.boot, me.pid, me.start + 1).token


@pytest.mark.parametrize(
    "path", ["../x", "/etc/passwd", "file:///etc/passwd", "hdfs://nn/x", "a\\..\\..\\b"]
)
def test_paths_leaving_base_uri_are_refused_without_a_session(path: str) -> None:
    lake = HadoopConnection("lake", "hdfs://namenode/lake")
    with pytest.raises(PathOutsideConnection):
        lake.resolve(path)
    with pytest.raises(PathOutsideConnection, match="base folder itself"):
        lake.check_path(".", write=True)
    assert lake.resolve("a/../b.csv") == "hdfs://namenode/lake/b.csv"


def test_a_file_base_uri_refuses_symlinks_leading_out_unless_allowed(tmp_path: Path) -> None:
    (tmp_path / "lake").mkdir()
    (tmp_path / "outside").mkdir()
    os.symlink(tmp_path / "outside", tmp_path / "lake" / "away")
    with pytest.raises(PathOutsideConnection, match="through a symlink"):
        HadoopConnection("lake", f"file://{tmp_path}/lake").check_path("away/x.csv")
    HadoopConnection("lake", f"file://{tmp_path}/lake", allow_outside_symlinks=True).check_path(
        "away/x.csv"
    )


def test_spark_failure_text_becomes_malformed_csv_with_the_line(tmp_path: Path) -> None:
    (tmp_path / "r.csv").write_text("a,b\n1,2,3,4\n5\n")
    text = (
        "Py4JJavaError\nCaused by: org.apache.spark.SparkException: [FAILED_READ_FILE.NO_HINT] "
        f"Encountered error while reading file file://{tmp_path}/r.csv.  SQLSTATE: KD001\n"
        "Caused by: [MALFORMED_CSV_RECORD] Malformed CSV record: 1,2,3,4 SQLSTATE: KD000"
    )
    error = malformed_spark_csv(text)
    assert error is not None
    assert (
        error.message
        == f"malformed CSV {tmp_path}/r.csv, line 2: 4 field(s) where the header has 2 "
        "(separated by ',')"
    )
    remote = malformed_spark_csv(
        text.replace(f"file://{tmp_path}", "abfss://c@a.dfs.core.windows.net/x")
    )
    assert (
        remote is not None
    )
    assert (
        "abfss://c@a.dfs.core.windows.net/x/r.csv: a row's number of fields" in remote.message
    )
    assert malformed_spark_csv("AnalysisException: [PATH_NOT_FOUND]") is None


@pytest.mark.spark
def test_hadoop_writes_clean_dead_writers_restore_asides_and_list_no_staging(
    spark_session: Any, tmp_path: Path
) -> None:
    from odibi_core.contracts.requests import ReadRequest, WriteRequest
    from odibi_engine_spark.engine import SparkEngine

    lake_dir = tmp_path / "lake"
    (lake_dir / "out").mkdir(parents=True)
    lake = HadoopConnection("lake", f"file://{lake_dir}")
    dead, live = dead_token(), current_owner().token
    old = lake_dir / "out" / f".x.csv{ASIDE_MARKER}{dead}-aaaaaa"
    old.write_text(
        "k\n1\n"
    )  # a killed two-rename publish: the target is missing, the old output aside
    (lake_dir / "out" / f".x.csv{STAGING_MARKER}{dead}-bbbbbb").write_text("garbage")
    (lake_dir / "out" / f".x.csv{STAGING_MARKER}{live}-cccccc").write_text("k\n")
    assert lake.exists("out/x.csv") is False
    assert sorted(lake.clean_stale("out/x.csv")) == [f".x.csv{STAGING_MARKER}{dead}-bbbbbb"]
    assert (lake_dir / "out" / "x.csv").read_text() == "k\n1\n"
    assert lake.read_paths("out/*") == [f"file:{lake_dir}/out/x.csv"]

    engine = SparkEngine()
    try:
        frame = engine.sql("SELECT 2 AS k", {})
        engine.write(frame, lake, WriteRequest(format="csv", path="out/x.csv", mode="append"))
        back = engine.read(lake, ReadRequest(format="csv", path="out/*.csv"))
        assert sorted(r["k"] for r in engine.to_arrow(back).read_all().to_pylist()) == [1, 2]
    finally:
        engine.close()
    left = sorted(n for n in os.listdir(lake_dir / "out") if ".odibi-" in n)
    assert left == [f".x.csv{STAGING_MARKER}{live}-cccccc"]
