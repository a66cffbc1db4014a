"""Errors of the spark engine (``OdibiError`` subclasses with an exit code and a hint)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from odibi_core.errors import ExitCode, NodeError, OdibiError
from odibi_core.redaction.shorten import first_line as first_line_of


class SparkEngineError(OdibiError):
    """Spark rejected a statement, a read or a write (raised inside a node)."""

    exit_code = NodeError.exit_code


class SparkStartError(OdibiError):
    """No SparkSession could be started or reused."""

    exit_code = ExitCode.PLUGIN_ERROR
    default_hint = ("Spark needs Java 17 or newer (`java -version`; the project's scripts/setup.sh installs it) "
                    "and, for a cluster, a reachable master.")


def first_line(exc: BaseException, limit: int = 600) -> str:
    """The first meaningful line of a Spark error (the JVM stack trace is dropped), redacted
    before it is cut."""
    return first_line_of(exc, limit) or type(exc).__name__


@contextmanager
def spark_errors(action: str) -> Iterator[None]:
    """Turn pyspark / py4j exceptions raised while doing ``action`` into :class:`SparkEngineError`."""
    from py4j.protocol import Py4JError
    from pyspark.errors import PySparkException

    try:
        yield
    except (PySparkException, Py4JError) as exc:
        from odibi_engine_spark.csv_errors import malformed_spark_csv

        malformed = malformed_spark_csv(str(exc))
        if malformed is not None:
            raise malformed from exc
        raise SparkEngineError(f"spark could not {action}: {type(exc).__name__}: {first_line(exc)}") from exc
