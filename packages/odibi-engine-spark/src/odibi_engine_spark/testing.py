"""pytest fixtures for projects and plugins tested on Spark (loaded through ``pytest11``).

``spark_session`` starts ONE small local SparkSession for the whole test run (a start costs
7-15 s) and stops it at the end. A ``spark`` engine built while it runs reuses it and never stops
it, so every test shares the JVM::

    def test_my_pipeline(spark_session, tmp_path):
        from odibi_engine_spark.engine import SparkEngine
        engine = SparkEngine()           # reuses spark_session
        ...
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

TEST_JVM_OPTIONS = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:ReservedCodeCacheSize=240m"
"""JVM options of test sessions: tests run many tiny queries in a fresh JVM, and the client
compiler alone (C1) halves the CPU they cost. C1 alone also shrinks the JIT code cache to 48 MB,
which a whole test run's generated classes fill ("Out of space in CodeCache for adapters" killed
the driver), so the cache keeps the 240 MB it has by default."""

TEST_SESSION_CONF = {
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.shuffle.partitions": "2",
    "spark.default.parallelism": "2",
    "spark.sql.session.timeZone": "UTC",
    "spark.driver.memory": "1g",
    "spark.driver.extraJavaOptions": TEST_JVM_OPTIONS,
}


@pytest.fixture(scope="session")
def spark_session() -> Iterator[SparkSession]:
    """One local[2] SparkSession for the whole test run (``SPARK_LOCAL_IP=127.0.0.1``)."""
    from odibi_engine_spark.session import quiet_pyspark_loggers

    os.environ["SPARK_LOCAL_IP"] = "127.0.0.1"
    from pyspark.sql import SparkSession

    quiet_pyspark_loggers()
    builder = SparkSession.builder.master("local[2]").appName("odibi-tests")
    for key, value in TEST_SESSION_CONF.items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()
