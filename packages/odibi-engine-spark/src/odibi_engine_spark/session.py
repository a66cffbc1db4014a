"""Finding or starting the SparkSession, and the engine's own isolated session on top of it.

Odibi reuses a SparkSession already running in the process (Databricks, notebooks, spark-submit)
and otherwise starts one from the engine options; it stops only a session it started. Its SQL runs
in ``session.newSession()``: same SparkContext and cache, but its own SQL settings and temporary
views, so Odibi's views (named after nodes) never touch a user's views or settings.
"""

from __future__ import annotations

import logging
import os
import shutil
import warnings
from typing import TYPE_CHECKING, Any

from odibi_engine_spark.errors import SparkStartError, first_line

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

    from odibi_engine_spark.options import SparkOptions

logger = logging.getLogger("odibi.spark")

ODIBI_SQL_CONF = {
    "spark.sql.ansi.enabled": "true",
    "spark.sql.ansi.doubleQuotedIdentifiers": "true",  # "col" is a column everywhere, as in DuckDB
    "spark.sql.timestampType": "TIMESTAMP_NTZ",  # naive timestamps stay naive, as in DuckDB
    "spark.sql.parquet.outputTimestampType": "TIMESTAMP_MICROS",  # not INT96
    "spark.sql.execution.arrow.pyspark.enabled": "true",
}
"""Runtime SQL settings of Odibi's session: the shared dialect and the same types as other
engines."""

STARTED_SESSION_DEFAULTS = {
    "spark.ui.showConsoleProgress": "false",
}
"""Settings of a session Odibi starts itself (the user's ``conf`` overrides them)."""


def conf_text(value: Any) -> str:
    """Spark's spelling of a config value (``true``, not ``True``)."""
    return str(value).lower() if isinstance(value, bool) else str(value)


def quiet_pyspark_loggers() -> None:
    """pyspark logs every failed query with its text to stderr, bypassing Odibi's redaction;
    Odibi reports the error itself, so those loggers are switched off."""
    try:
        from pyspark.logger import PySparkLogger
    except ImportError:  # older pyspark: no such loggers
        return
    for name in ("SQLQueryContextLogger", "DataFrameQueryContextLogger"):
        PySparkLogger.getLogger(name).disabled = True
    warnings.filterwarnings(
        "ignore", message=".*PySpark does not yet fully support pandas.*", category=FutureWarning
    )


def running_session() -> SparkSession | None:
    """The active SparkSession of this thread, else the process's default one, else ``None``."""
    from pyspark import SparkContext
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None:
        return active
    default = getattr(SparkSession, "_instantiatedSession", None)
    if default is not None and SparkContext._active_spark_context is not None:
        return default
    return None


def obtain_session(options: SparkOptions) -> tuple[SparkSession, bool]:
    """Return ``(session, started_here)``: a running session if allowed, else a new one."""
    try:
        import pyspark  # noqa: F401
    except ImportError as exc:
        raise SparkStartError(
            f"pyspark is not installed ({exc.msg})", hint="pip install odibi-engine-spark"
        ) from None
    quiet_pyspark_loggers()
    existing = running_session()
    if existing is not None:
        if not options.use_active_session:
            raise SparkStartError(
                "a SparkSession is already running in this process and use_active_session is false",
                hint="Set engine_options.use_active_session: true to run on it (one "
                "SparkContext per process).",
            )
        logger.info(
            "spark: reusing the running SparkSession (master %s)", existing.sparkContext.master
        )
        return existing, False
    return _start(options), True


def _start(options: SparkOptions) -> SparkSession:
    from pyspark.sql import SparkSession

    if not os.environ.get("JAVA_HOME") and shutil.which("java") is None:
        raise SparkStartError("cannot start Spark: no `java` on PATH and JAVA_HOME is not set")
    if options.master.startswith("local"):
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")  # no DNS lookups of the host name
    builder = SparkSession.builder.master(options.master).appName(options.app_name)
    settings = {
        **STARTED_SESSION_DEFAULTS,
        **ODIBI_SQL_CONF,
        "spark.sql.session.timeZone": options.timezone,
        **{k: conf_text(v) for k, v in options.conf.items()},
    }
    for key, value in settings.items():
        builder = builder.config(key, value)
    try:
        session = builder.getOrCreate()
    except Exception as exc:
        raise SparkStartError(
            f"cannot start Spark (master {options.master}): {first_line(exc)}"
        ) from exc
    session.sparkContext.setLogLevel(options.log_level)
    logger.info(
        "spark: started a SparkSession (master %s, Spark %s)", options.master, session.version
    )
    return session


def odibi_session(base: SparkSession, options: SparkOptions) -> SparkSession:
    """Odibi's own session on ``base`` with the shared SQL settings, time zone and user ``conf``."""
    try:
        session = base.newSession()
    except Exception:  # Spark Connect builds without newSession: share the session itself
        logger.warning(
            "spark: newSession() is unavailable; Odibi's SQL settings apply to the shared session"
        )
        session = base
    settings = {
        **ODIBI_SQL_CONF,
        "spark.sql.session.timeZone": options.timezone,
        **{k: conf_text(v) for k, v in options.conf.items()},
    }
    for key, value in settings.items():
        if _modifiable(session, key):
            session.conf.set(key, value)
        elif session.conf.get(key, None) != value:
            logger.warning(
                "spark: %s is a static setting of the running session and was left as it is", key
            )
    return session


def _modifiable(session: SparkSession, key: str) -> bool:
    try:
        return bool(session.conf.isModifiable(key))
    except Exception:
        return True
