"""``engine_options`` of the ``spark`` engine."""

from __future__ import annotations

from typing import Literal, Union

from odibi_core.plugin import PluginOptions
from pydantic import Field

ConfValue = Union[str, int, float, bool]  # noqa: UP007 - pydantic evaluates it on Python 3.10 too


class SparkOptions(PluginOptions):
    """Options of ``engine: spark`` (all optional)."""

    master: str = Field(
        "local[*]",
        description="Spark master URL when Odibi starts the session: "
        "`local[*]`, `local[4]`, `spark://host:7077`, `yarn`, ...",
    )
    app_name: str = Field("odibi", description="Application name shown in the Spark UI.")
    conf: dict[str, ConfValue] = Field(
        default_factory=dict,
        description="Extra Spark configuration, e.g. `spark.sql.shuffle.partitions: 8`. "
        "Applied to the "
        "session Odibi starts; on a reused session only runtime (SQL) settings can change.",
    )
    use_active_session: bool = Field(
        True,
        description="Reuse the SparkSession already running in this process (Databricks, a "
        "notebook, "
        "spark-submit). Odibi never stops a session it did not start.",
    )
    timezone: str = Field(
        "UTC", description="`spark.sql.session.timeZone` of Odibi's SQL (as on the other engines)."
    )
    file_layout: Literal["file", "directory"] = Field(
        "file",
        description="`file`: one file at the target path, like the other engines (written by one "
        "task); `directory`: Spark's part files in a folder at the target path (parallel writes).",
    )
    log_level: str = Field(
        "ERROR", description="Spark log level of a session Odibi starts (WARN, INFO, ...)."
    )
