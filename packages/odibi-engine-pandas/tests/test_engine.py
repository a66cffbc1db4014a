"""pandas engine specifics: the optional dependency, dtype backends, groupby indexes."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pandas as pd
import pyarrow as pa
import pytest
from odibi_engine_pandas.engine import PandasEngine, PandasOptions


def test_without_pandas_the_engine_names_the_extra_to_install() -> None:
    script = textwrap.dedent("""
        import sys
        class Block:
            def find_spec(self, name, path=None, target=None):
                if name == "pandas" or name.startswith("pandas."):
                    raise ImportError("No module named 'pandas'", name=name)
        sys.meta_path.insert(0, Block())
        from pathlib import Path
        from odibi_core.errors import OdibiError
        from odibi_core.plugins.manager import create_plugin_manager
        from odibi_core.plugins.types import BuildContext
        spec = create_plugin_manager().engine("pandas")
        try:
            spec.factory(spec.options_model()(), BuildContext("pandas", Path("."), "p"))
        except OdibiError as exc:
            print("ERROR", int(exc.exit_code), exc.message, "|", exc.hint)
    """)
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert "ERROR 4 pandas is not installed" in done.stdout, done.stdout + done.stderr
    assert "pip install 'odibi-core[pandas]'" in done.stdout


@pytest.mark.parametrize(
    ("backend", "dtype"),
    [("pyarrow", "int64[pyarrow]"), ("numpy_nullable", "Int64"), ("numpy", "float64")],
)
def test_dtype_backend_decides_what_steps_receive(backend: str, dtype: str) -> None:
    engine = PandasEngine(PandasOptions(dtype_backend=backend))
    try:
        frame = engine.from_arrow(pa.table({"k": pa.array([1, None], pa.int64())}))
        assert str(frame["k"].dtype) == dtype
        seen: list[str] = []
        engine.call(
            lambda df: seen.append(str(df["k"].dtype)) or df, frame, {}, frame_kind="pandas"
        )
        assert seen == [dtype]
    finally:
        engine.close()


def test_a_groupby_index_becomes_columns() -> None:
    engine = PandasEngine()
    try:
        frame = engine.from_arrow(pa.table({"g": ["a", "b", "a"], "v": [1, 2, 3]}))
        result = engine.call(
            lambda df: df.groupby("g")[["v"]].sum(), frame, {}, frame_kind="pandas"
        )
        assert isinstance(result, pd.DataFrame)
        rows = engine.to_arrow(result).read_all().to_pylist()
        assert sorted(rows, key=lambda r: r["g"]) == [{"g": "a", "v": 4}, {"g": "b", "v": 2}]
    finally:
        engine.close()


def test_schema_of_numpy_backed_strings_is_string_not_null() -> None:
    engine = PandasEngine(PandasOptions(dtype_backend="numpy"))
    try:
        frame = engine.from_arrow(pa.table({"s": ["x", None], "n": [1.5, 2.0]}))
        assert [(c.name, c.type) for c in engine.schema(frame)] == [
            ("s", "string"),
            ("n", "double"),
        ]
    finally:
        engine.close()
