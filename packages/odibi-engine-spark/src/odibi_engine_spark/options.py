"""Options models of the spark plugin: ``engine_options`` of the ``spark`` engine and the keys of a
``hadoop`` connection (kept here, apart from the engine and the connection, so registering the
plugin imports no more than these models)."""

from __future__ import annotations

from typing import Literal, Union

from odibi_core.plugin import PluginOptions
from pydantic import Field, field_validator

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


class HadoopOptions(PluginOptions):
    """Options of a ``hadoop`` connection."""

    base_uri: str = Field(
        description="Root URI, e.g. `abfss://lake@account.dfs.core.windows.net/sales`."
    )
    allow_outside_symlinks: bool = Field(
        False,
        description="For a `file:` base URI: follow symlinks under it that lead outside it.",
    )

    @field_validator("base_uri")
    @classmethod
    def _is_uri(cls, value: str) -> str:
        from odibi_engine_spark.files import is_uri

        if not is_uri(value):
            raise ValueError(
                f"{value!r} is not a URI (scheme://...); use a `local` connection for folders"
            )
        return value.rstrip("/")
