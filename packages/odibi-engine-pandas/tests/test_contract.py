"""The pandas engine passes the engine contract suite."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from odibi_core.testing.engine_contract import EngineContract
from odibi_engine_pandas.engine import PandasEngine


class TestPandasEngineContract(EngineContract):
    """Every contract test, on pandas DataFrames."""

    @pytest.fixture
    def engine(self) -> Iterator[PandasEngine]:
        engine = PandasEngine()
        yield engine
        engine.close()

    def is_native_frame(self, value: Any) -> bool:
        import pandas as pd

        return isinstance(value, pd.DataFrame)
