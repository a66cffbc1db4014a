"""Errors of the spark engine (``OdibiError`` subclasses with an exit code and a hint)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from odibi_core.engines.error_text import position_of_offset, scrub_internal_names
from odibi_core.errors import SqlPosition
from odibi_core.plugin import EngineError, ExitCode, OdibiError
from odibi_core.redaction.shorten import first_line as first_line_of

STATEMENT_ERRORS = frozenset({"AnalysisException", "ParseException"})
"""pyspark exception classes raised before any row is computed (the statement itself is wrong)."""

_POSITION_SUFFIX = re.compile(r";? *line \d+,? pos(?:ition)? \d+;?\s*$")


class SparkEngineError(EngineError):
    """Spark rejected a statement, a read or a write, or failed while computing rows."""


class SparkStartError(OdibiError):
    """No SparkSession could be started or reused."""

    exit_code = ExitCode.PLUGIN_ERROR
    default_hint = (
        "Spark needs Java 17 or newer (`java -version`; the project's scripts/setup.sh "
        "installs it) "
        "and, for a cluster, a reachable master."
    )


def first_line(exc: BaseException, limit: int = 600) -> str:
    """The first meaningful line of a Spark error (the JVM stack trace is dropped), redacted
    before it is cut."""
    return first_line_of(exc, limit) or type(exc).__name__


def spark_position(exc: BaseException, sql: str | None = None) -> SqlPosition | None:
    """Where a Spark error points, from its query context: a line and column of ``sql`` when the
    error's offsets fall on its fragment there, else the fragment alone (line 0)."""
    get_context = getattr(exc, "getQueryContext", None)
    try:
        contexts = list(get_context() or []) if get_context is not None else []
    except Exception:  # py4j gone, an unexpected context type: no position
        return None
    for context in contexts:
        try:
            fragment = context.fragment()
            start, stop = int(context.startIndex()), int(context.stopIndex())
        except Exception:
            continue
        if not fragment:
            continue
        if sql is not None and sql[start : stop + 1] == fragment:
            position = position_of_offset(sql, start, stop)
            if position is not None:
                return position._replace(fragment=fragment)
        return SqlPosition(0, 0, len(fragment), fragment)
    return None


def translate(exc: BaseException, action: str, sql: str | None = None) -> SparkEngineError:
    """A pyspark / py4j exception as :class:`SparkEngineError` (one line, no JVM stack or plan)."""
    message = _POSITION_SUFFIX.sub("", first_line(exc))
    return SparkEngineError(
        scrub_internal_names(f"spark could not {action}: {message}"),
        position=spark_position(exc, sql),
        computing=type(exc).__name__ not in STATEMENT_ERRORS,
    )


@contextmanager
def spark_errors(action: str, sql: str | None = None) -> Iterator[None]:
    """Turn pyspark / py4j exceptions raised while doing ``action`` into :class:`SparkEngineError`
    (``sql``: the user's SQL being run, so the error may point into it)."""
    from py4j.protocol import Py4JError
    from pyspark.errors import PySparkException

    try:
        yield
    except (PySparkException, Py4JError) as exc:
        from odibi_engine_spark.csv_errors import malformed_spark_csv

        malformed = malformed_spark_csv(str(exc))
        if malformed is not None:
            raise malformed from exc
        raise translate(exc, action, sql) from exc
