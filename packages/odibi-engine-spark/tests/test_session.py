"""Session handling: reuse of a running session, isolation of Odibi's views and settings,
and a clear error when Spark cannot start."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from typing import Any

import pytest
from odibi_engine_spark.engine import SparkEngine
from odibi_engine_spark.errors import SparkStartError
from odibi_engine_spark.options import SparkOptions
from pydantic import ValidationError

pytestmark = pytest.mark.spark


def test_the_engine_reuses_the_running_session_and_never_stops_it(spark_session: Any) -> None:
    engine = SparkEngine(SparkOptions(master="local[1]", conf={"spark.sql.shuffle.partitions": 3}))
    assert not engine.started_session
    assert engine.spark.sparkContext is spark_session.sparkContext
    assert engine.spark.conf.get("spark.sql.shuffle.partitions") == "3"
    engine.close()
    assert spark_session.range(3).count() == 3  # still alive


def test_odibi_settings_and_views_stay_out_of_the_users_session(spark_session: Any) -> None:
    spark_session.createDataFrame([(1,)], "x int").createOrReplaceTempView("orders")
    engine = SparkEngine()
    try:
        frame = engine.from_arrow(__import__("pyarrow").table({"y": [5, 6]}))
        result = engine.sql('SELECT "y" * 2 AS z FROM orders', {"orders": frame})
        assert sorted(r["z"] for r in result.toArrow().to_pylist()) == [10, 12]
        assert engine.spark.conf.get("spark.sql.ansi.doubleQuotedIdentifiers") == "true"
        assert spark_session.conf.get("spark.sql.ansi.doubleQuotedIdentifiers") != "true"
        assert spark_session.conf.get("spark.sql.session.timeZone") == "UTC"
        assert spark_session.table("orders").columns == ["x"]  # the user's view is untouched
        assert not engine.spark.catalog.tableExists("orders")  # Odibi's view is gone already
    finally:
        spark_session.catalog.dropTempView("orders")
        engine.close()


def test_a_step_may_return_a_frame_built_on_the_users_session(spark_session: Any) -> None:
    engine = SparkEngine()
    try:
        frame = engine.from_arrow(__import__("pyarrow").table({"a": [1]}))
        result = engine.call(
            lambda f: spark_session.range(4).withColumnRenamed("id", "n"), frame, {}
        )
        assert result.sparkSession is engine.spark
        again = engine.sql("SELECT sum(n) AS s FROM this", {"this": result})
        assert again.toArrow().to_pylist() == [{"s": 6}]
    finally:
        engine.close()


def test_refusing_the_running_session_is_a_clear_error(spark_session: Any) -> None:
    with pytest.raises(SparkStartError, match="already running"):
        SparkEngine(SparkOptions(use_active_session=False))


def test_unknown_options_and_bad_values_are_rejected() -> None:
    with pytest.raises(ValidationError, match="mastr"):
        SparkOptions.model_validate({"mastr": "local"})
    with pytest.raises(ValidationError, match="file_layout"):
        SparkOptions.model_validate({"file_layout": "folder"})
    assert SparkOptions.model_validate({"conf": {"spark.sql.adaptive.enabled": True}}).conf


def test_without_java_the_error_says_so_and_exits_with_the_plugin_code(tmp_path: Any) -> None:
    script = textwrap.dedent("""
        from odibi_engine_spark.engine import SparkEngine
        from odibi_engine_spark.errors import SparkStartError
        try:
            SparkEngine()
        except SparkStartError as exc:
            print("ERROR", int(exc.exit_code), exc.message, "|", exc.hint)
    """)
    env = {k: v for k, v in os.environ.items() if k != "JAVA_HOME"}
    env["PATH"] = str(tmp_path)  # no java here
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120
    )
    assert "ERROR 4 cannot start Spark: no `java` on PATH" in done.stdout, done.stdout + done.stderr
    assert "Java 17" in done.stdout


def test_a_session_odibi_starts_is_configured_and_stopped_at_close(tmp_path: Any) -> None:
    script = textwrap.dedent("""
        from pyspark import SparkContext
        from odibi_engine_spark.engine import SparkEngine
        from odibi_engine_spark.options import SparkOptions
        conf = {"spark.sql.shuffle.partitions": 3, "spark.ui.enabled": False}
        engine = SparkEngine(SparkOptions(master="local[1]", app_name="odibi-started", conf=conf))
        sc = engine.spark.sparkContext
        print("STARTED", engine.started_session, sc.master, sc.appName,
              engine.spark.conf.get("spark.sql.shuffle.partitions"),
              sc.getConf().get("spark.ui.enabled"))
        print("COUNT", engine.count(engine.sql("SELECT * FROM range(7)", {})))
        engine.close()
        print("STOPPED", SparkContext._active_spark_context is None)
    """)
    env = {**os.environ, "SPARK_LOCAL_IP": "127.0.0.1"}
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=300
    )
    assert "STARTED True local[1] odibi-started 3 false" in done.stdout, (
        done.stdout + done.stderr[-2000:]
    )
    assert "COUNT 7" in done.stdout
    assert "STOPPED True" in done.stdout
