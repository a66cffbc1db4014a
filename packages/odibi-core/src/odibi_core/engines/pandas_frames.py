"""pandas <-> Arrow conversion shared by every engine, so a ``frame="pandas"`` step gets the same
kind of DataFrame on duckdb, pandas and spark.

pandas frames use Arrow-backed dtypes (``pd.ArrowDtype``) by default: what
``pd.read_parquet(path, dtype_backend="pyarrow")`` returns. Integers keep their type when they hold
NULLs, decimals keep precision and scale, time zones are kept, missing values are ``pd.NA``, and a
frame converts back to Arrow without loss. ``numpy_nullable`` (``Int64``, ``boolean``, ``string``)
and ``numpy`` (plain pandas defaults: NULL integers become floats) exist for older code.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

from odibi_core.errors import ExitCode, OdibiError

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

DTYPE_BACKENDS = ("pyarrow", "numpy_nullable", "numpy")
"""Accepted values of the pandas engine's ``dtype_backend`` option."""


class PandasMissing(OdibiError):
    """pandas is needed (pandas engine or a ``frame="pandas"`` step) but is not installed."""

    exit_code = ExitCode.PLUGIN_ERROR
    default_hint = "pip install 'odibi-core[pandas]'"


def import_pandas() -> Any:
    """Import pandas or raise :class:`PandasMissing` with the install command."""
    try:
        import pandas
    except ImportError as exc:
        raise PandasMissing(f"pandas is not installed ({exc.msg})") from None
    return pandas


def _nullable_mapping(pd: Any) -> dict[Any, Any]:
    import pyarrow as pa

    return {
        pa.int8(): pd.Int8Dtype(),
        pa.int16(): pd.Int16Dtype(),
        pa.int32(): pd.Int32Dtype(),
        pa.int64(): pd.Int64Dtype(),
        pa.uint8(): pd.UInt8Dtype(),
        pa.uint16(): pd.UInt16Dtype(),
        pa.uint32(): pd.UInt32Dtype(),
        pa.uint64(): pd.UInt64Dtype(),
        pa.bool_(): pd.BooleanDtype(),
        pa.float32(): pd.Float32Dtype(),
        pa.float64(): pd.Float64Dtype(),
        pa.string(): pd.StringDtype(),
        pa.large_string(): pd.StringDtype(),
    }


def arrow_to_pandas(
    data: pa.Table | pa.RecordBatchReader, dtype_backend: str = "pyarrow"
) -> pd.DataFrame:
    """Convert Arrow data to a pandas DataFrame with the given dtype backend."""
    import pyarrow as pa

    pd = import_pandas()
    table = data.read_all() if isinstance(data, pa.RecordBatchReader) else data
    if dtype_backend == "pyarrow":
        return table.to_pandas(types_mapper=pd.ArrowDtype)
    if dtype_backend == "numpy_nullable":
        return table.to_pandas(types_mapper=_nullable_mapping(pd).get)
    if dtype_backend == "numpy":
        return table.to_pandas()
    raise ValueError(f"dtype_backend must be one of {DTYPE_BACKENDS}, not {dtype_backend!r}")


def pandas_to_arrow(frame: pd.DataFrame) -> pa.Table:
    """Convert a DataFrame to an Arrow table. A non-default index (``groupby`` keys) becomes
    columns."""
    import pyarrow as pa

    pd = import_pandas()
    if not isinstance(frame.index, pd.RangeIndex):
        frame = frame.reset_index()
    table = pa.Table.from_pandas(frame, preserve_index=False).replace_schema_metadata(None)
    if any(pa.types.is_large_string(f.type) for f in table.schema):  # pandas' own str dtype
        schema = pa.schema(
            [
                f.with_type(pa.string()) if pa.types.is_large_string(f.type) else f
                for f in table.schema
            ]
        )
        with contextlib.suppress(pa.ArrowInvalid):  # over 2 GiB of text in a column: stay large
            table = table.cast(schema)
    return table


def is_pandas_frame(value: Any) -> bool:
    """Whether ``value`` is a pandas DataFrame (without importing pandas)."""
    return type(value).__module__.split(".")[0] == "pandas" and type(value).__name__ == "DataFrame"
