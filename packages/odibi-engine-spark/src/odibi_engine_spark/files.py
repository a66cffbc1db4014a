"""Reading and writing files with Spark's own readers and writers.

Paths come from the connection's ``resolve``: a plain local path, or any Hadoop-compatible URI
(``file:``, ``hdfs:``, ``s3a:``, ``abfss:``, ``dbfs:`` ...). Writes go to the connection's staging
location and are published by the connection (a rename), so a failed write leaves the old output.
With ``file_layout: file`` the single part file Spark writes is what gets published, so the target
is one file, exactly as on the other engines.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from odibi_engine_spark.errors import SparkEngineError

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

FORMATS = ("csv", "parquet", "json")
READ_DEFAULTS: dict[str, dict[str, str]] = {
    "csv": {"header": "true", "inferSchema": "true", "mode": "FAILFAST"}
}
WRITE_DEFAULTS: dict[str, dict[str, str]] = {"csv": {"header": "true"}}


def is_uri(path: str) -> bool:
    """Whether ``path`` is a URI (``scheme:...``) rather than a plain local path."""
    head = path.split("/", 1)[0]
    return ":" in head and len(head.split(":", 1)[0]) > 1  # not a Windows drive letter


def option_text(value: Any) -> str:
    """Spark's spelling of a reader/writer option."""
    return str(value).lower() if isinstance(value, bool) else str(value)


def reader_settings(fmt: str, options: Mapping[str, Any] | None) -> dict[str, str]:
    """Spark reader options: Odibi's defaults for ``fmt``, then the user's.

    CSV is read in ``FAILFAST`` mode, so a row whose number of fields differs from the header's
    fails the read instead of being padded or cut; ``lenient: true`` (every engine's opt-in)
    selects Spark's ``PERMISSIVE`` mode instead (short rows padded with NULL, extra fields dropped).
    """
    from odibi_core.engines.csv_strict import LENIENT_OPTION

    given = dict(options or {})
    lenient = bool(given.pop(LENIENT_OPTION, False))
    settings = {**READ_DEFAULTS.get(fmt, {}), **{k: option_text(v) for k, v in given.items()}}
    if fmt == "csv" and lenient and not any(k.lower() == "mode" for k in given):
        settings["mode"] = "PERMISSIVE"
    return settings


def read_files(
    spark: SparkSession, fmt: str, path: str | Sequence[str], options: Mapping[str, Any] | None
) -> DataFrame:
    """A DataFrame over ``path`` (a file, a folder, a glob or a list of files)."""
    from pyspark.sql import functions as F
    from pyspark.sql.types import IntegerType

    if fmt not in FORMATS:
        raise SparkEngineError(f"spark cannot read format {fmt!r}; supported: {', '.join(FORMATS)}")
    settings = reader_settings(fmt, options)
    first = path if isinstance(path, str) else (path[0] if path else "")
    if fmt == "json" and "multiLine" not in settings and _json_array(first):
        settings["multiLine"] = "true"  # a JSON array, which DuckDB also reads
    frame = (
        spark.read.format(fmt)
        .options(**settings)
        .load(path if isinstance(path, str) else list(path))
    )
    if fmt == "csv":  # CSV inference says int for small numbers; the other engines say bigint
        frame = frame.select(
            [
                F.col(f"`{f.name}`").cast("bigint").alias(f.name)
                if isinstance(f.dataType, IntegerType)
                else F.col(f"`{f.name}`")
                for f in frame.schema.fields
            ]
        )
    return frame


def _json_array(path: str) -> bool:
    """Whether a local JSON file (or the first file of a glob) starts with ``[``."""
    if is_uri(path):
        return False
    matches = sorted(glob.glob(path)) if any(c in path for c in "*?[") else [path]
    first = next((m for m in matches if os.path.isfile(m)), None)
    if first is None:
        return False
    with open(first, "rb") as handle:
        head = handle.read(4096).lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"[")


def count_files(spark: SparkSession, fmt: str, path: str, options: Mapping[str, Any] | None) -> int:
    """Rows in the files Spark just wrote (Parquet: from the footers; CSV without type
    inference)."""
    settings = reader_settings(fmt, options)
    settings.pop("inferSchema", None)
    return int(spark.read.format(fmt).options(**settings).load(path).count())


def write_files(
    frame: DataFrame, fmt: str, target: str, options: Mapping[str, Any] | None, *, single_file: bool
) -> None:
    """Write ``frame`` as a folder of part files at ``target`` (one part file if
    ``single_file``)."""
    if fmt not in FORMATS:
        raise SparkEngineError(
            f"spark cannot write format {fmt!r}; supported: {', '.join(FORMATS)}"
        )
    settings = {
        **WRITE_DEFAULTS.get(fmt, {}),
        **{k: option_text(v) for k, v in (options or {}).items()},
    }
    # coalesce, not repartition: partitions are concatenated in order, so an ORDER BY survives
    # into the file (a repartition would shuffle the rows); the last stage runs as one task
    data = frame.coalesce(1) if single_file else frame
    data.write.format(fmt).options(**settings).mode("overwrite").save(target)


def data_files(spark: SparkSession, folder: str) -> list[str]:
    """The data files Spark wrote into ``folder`` (not ``_SUCCESS``, not ``.crc`` files)."""
    if not is_uri(folder):
        return sorted(
            os.path.join(folder, n) for n in os.listdir(folder) if not n.startswith(("_", "."))
        )
    jvm: Any = getattr(spark, "_jvm", None) or spark.sparkContext._jvm
    hadoop_path = jvm.org.apache.hadoop.fs.Path(folder)
    fs = hadoop_path.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration())
    names = [
        status.getPath().toString() for status in fs.listStatus(hadoop_path) if status.isFile()
    ]
    return sorted(n for n in names if not n.rsplit("/", 1)[-1].startswith(("_", ".")))
