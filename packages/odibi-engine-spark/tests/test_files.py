"""Spark-specific file handling: folder layout, Hadoop URIs, JSON arrays, CSV integer widths,
and errors without JVM stack traces."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from odibi_core.connections.local import LocalConnection
from odibi_core.contracts.engine import write_counts
from odibi_core.contracts.requests import ReadRequest, WriteRequest
from odibi_engine_spark.engine import SparkEngine
from odibi_engine_spark.errors import SparkEngineError
from odibi_engine_spark.options import SparkOptions

pytestmark = pytest.mark.spark


class UriConnection(LocalConnection):
    """A local folder addressed through ``file://`` URIs, so Spark goes through Hadoop's
    FileSystem."""

    def local(self, path: str) -> Path:
        return self.root / path

    def resolve(self, path: str) -> str:
        return "file://" + str(self.local(path))

    def exists(self, path: str) -> bool:
        return self.local(path).exists()

    def staging_path(self, path: str) -> str:
        target = self.local(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        return f"file://{target.parent}/.{target.name}.odibi-tmp-test"

    def publish(self, staging: str, path: str) -> None:
        os.replace(staging.removeprefix("file:").removeprefix("//"), self.local(path))

    def discard(self, staging: str) -> None:
        shutil.rmtree(staging.removeprefix("file:").removeprefix("//"), ignore_errors=True)


@pytest.fixture
def engine(spark_session: Any) -> Iterator[SparkEngine]:
    engine = SparkEngine()
    yield engine
    engine.close()


def rows(engine: SparkEngine, frame: Any) -> list[dict[str, Any]]:
    return sorted(engine.to_arrow(frame).read_all().to_pylist(), key=lambda r: list(r.values()))


def test_directory_layout_writes_part_files_spark_reads_back(
    spark_session: Any, tmp_path: Path
) -> None:
    engine = SparkEngine(SparkOptions(file_layout="directory"))
    try:
        out = LocalConnection("out", tmp_path)
        frame = engine.sql("SELECT id FROM range(10)", {}).repartition(3)
        written = engine.write(frame, out, WriteRequest(format="parquet", path="ids.parquet"))
        assert write_counts(written, "overwrite").written == 10
        assert (tmp_path / "ids.parquet").is_dir()
        assert len([p for p in os.listdir(tmp_path / "ids.parquet") if p.endswith(".parquet")]) == 3
        back = engine.read(out, ReadRequest(format="parquet", path="ids.parquet"))
        assert engine.count(back) == 10
        engine.write(frame, out, WriteRequest(format="parquet", path="ids.parquet", mode="append"))
        assert (
            engine.count(engine.read(out, ReadRequest(format="parquet", path="ids.parquet"))) == 20
        )
    finally:
        engine.close()


def test_hadoop_uris_are_read_and_written_through_the_connection(
    engine: SparkEngine, tmp_path: Path
) -> None:
    pq.write_table(pa.table({"k": [1, 2, 3]}), tmp_path / "in.parquet")
    uri = UriConnection("lake", tmp_path)
    frame = engine.read(uri, ReadRequest(format="parquet", path="in.parquet"))
    written = engine.write(frame, uri, WriteRequest(format="csv", path="out/k.csv"))
    assert write_counts(written, "overwrite").written == 3
    assert (tmp_path / "out" / "k.csv").read_text().split() == ["k", "1", "2", "3"]
    assert [p for p in os.listdir(tmp_path / "out") if ".odibi-" in p] == []


def test_a_json_array_file_is_read_like_json_lines(engine: SparkEngine, tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text(json.dumps([{"k": 1, "s": "x"}, {"k": 2, "s": "ÿ"}], indent=2))
    frame = engine.read(LocalConnection("in", tmp_path), ReadRequest(format="json", path="a.json"))
    assert rows(engine, frame) == [{"k": 1, "s": "x"}, {"k": 2, "s": "ÿ"}]


def test_csv_integers_are_64_bit_like_on_the_other_engines(
    engine: SparkEngine, tmp_path: Path
) -> None:
    (tmp_path / "n.csv").write_text("small,big,text\n1,9000000000,a\n2,1,b\n")
    frame = engine.read(LocalConnection("in", tmp_path), ReadRequest(format="csv", path="n.csv"))
    assert [(c.name, c.type) for c in engine.schema(frame)] == [
        ("small", "int64"),
        ("big", "int64"),
        ("text", "string"),
    ]


def test_spark_errors_are_one_line_odibi_errors(engine: SparkEngine, tmp_path: Path) -> None:
    with pytest.raises(SparkEngineError) as info:
        engine.read(
            LocalConnection("in", tmp_path), ReadRequest(format="parquet", path="missing.parquet")
        )
    assert "\n" not in info.value.message
    assert "PATH_NOT_FOUND" in info.value.message
    with pytest.raises(SparkEngineError) as info:
        engine.sql("SELEC 1", {})
    assert "\n" not in info.value.message
    assert "PARSE_SYNTAX_ERROR" in info.value.message


def test_validations_count_rows_on_the_cluster_in_one_job(engine: SparkEngine) -> None:
    frame = engine.sql("SELECT id, id % 3 AS m FROM range(1000)", {})
    jobs_before = engine.spark.sparkContext.statusTracker().getJobIdsForGroup()
    engine.spark.sparkContext.setJobGroup("odibi-validation-test", "validations")
    values = engine.aggregate(
        frame,
        {
            "rows": "count(*)",
            "m0": "count(*) FILTER (WHERE m = 0)",
            "dup": 'count("m") - count(DISTINCT "m")',
        },
    )
    jobs = engine.spark.sparkContext.statusTracker().getJobIdsForGroup("odibi-validation-test")
    engine.spark.sparkContext.setJobGroup("", "")
    assert values == {"rows": 1000, "m0": 334, "dup": 997}
    assert len(jobs) >= 1
    assert jobs_before is not None
    assert engine.count(frame) == 1000


def test_arrow_types_spark_lacks_are_widened(engine: SparkEngine) -> None:
    table = pa.table(
        {
            "u8": pa.array([255], pa.uint8()),
            "u32": pa.array([4_000_000_000], pa.uint32()),
            "u64": pa.array([18_000_000_000_000_000_000], pa.uint64()),
            "cat": pa.array(["x"]).dictionary_encode(),
        }
    )
    frame = engine.from_arrow(table)
    assert [(c.name, c.type) for c in engine.schema(frame)] == [
        ("u8", "int16"),
        ("u32", "int64"),
        ("u64", "decimal128(20, 0)"),
        ("cat", "string"),
    ]
    assert rows(engine, frame) == [
        {
            "u8": 255,
            "u32": 4_000_000_000,
            "u64": __import__("decimal").Decimal(18_000_000_000_000_000_000),
            "cat": "x",
        }
    ]
