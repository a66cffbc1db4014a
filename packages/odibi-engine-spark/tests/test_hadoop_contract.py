"""The ``hadoop`` connection passes the file connection contract suite (spark engine, file://
root)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import odibi_engine_spark.plugin
import pytest
from odibi_core.testing.connection_contract import FileConnectionContractTests

pytestmark = pytest.mark.spark


class TestHadoopConnectionContract(FileConnectionContractTests):
    """Every file-connection contract test, through the running SparkSession's FileSystem API."""

    connection_type = "hadoop"
    plugin = odibi_engine_spark.plugin
    project_engine = "spark"
    capabilities = frozenset({"path", "glob", "folder", "fingerprint", "stale_cleanup"})
    write_modes = frozenset({"overwrite", "append", "error"})
    bad_options = (({"base_uri": "/not/a/uri"}, "is not a URI"),)

    @pytest.fixture
    def connection_options(self, tmp_path: Path, spark_session: Any) -> dict[str, Any]:
        (tmp_path / "lake").mkdir()
        return {"base_uri": f"file://{tmp_path}/lake"}

    @pytest.fixture
    def engine(self, spark_session: Any) -> Iterator[Any]:
        from odibi_engine_spark.engine import SparkEngine

        engine = SparkEngine()
        yield engine
        engine.close()
