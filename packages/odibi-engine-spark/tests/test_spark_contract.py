"""The spark engine passes the engine contract suite on one shared local SparkSession."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from odibi_core.testing.engine_contract import EngineContract
from odibi_engine_spark.engine import SparkEngine

pytestmark = pytest.mark.spark


class TestSparkEngineContract(EngineContract):
    """Every contract test, on Spark DataFrames."""

    @pytest.fixture
    def engine(self, spark_session: Any) -> Iterator[SparkEngine]:
        engine = SparkEngine()
        assert not engine.started_session, "the engine must reuse the test run's session"
        yield engine
        engine.close()

    def is_native_frame(self, value: Any) -> bool:
        from pyspark.sql import DataFrame

        return isinstance(value, DataFrame)
