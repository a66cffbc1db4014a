"""The duckdb engine passes the engine contract suite."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from odibi_core.engines.duckdb_engine import DuckDBEngine
from odibi_core.testing.engine_contract import EngineContract


class TestDuckDBEngineContract(EngineContract):
    """Every contract test, on DuckDB views."""

    @pytest.fixture
    def engine(self) -> Iterator[DuckDBEngine]:
        engine = DuckDBEngine()
        yield engine
        engine.close()

    def is_native_frame(self, value: Any) -> bool:
        import duckdb

        return isinstance(value, duckdb.DuckDBPyRelation)
