"""Python steps of the edge-case project: one pandas step, one Arrow step."""

import pyarrow as pa
from odibi_core import transform


@transform(frame="pandas")
def balance_in_cents(df):
    """Balance in integer cents (NULL stays NULL), plus whether the user joined before 2024."""
    import pandas as pd

    df["cents"] = (df["balance"] * 100).astype("int64[pyarrow]")
    df["early"] = df["joined_at"] < pd.Timestamp("2024-01-01", tz="UTC")
    return df[["user_id", "name", "balance", "cents", "early", "joined_at"]]


@transform(frame="arrow")
def tag_rows(table: pa.Table, tag: str) -> pa.Table:
    """Append a constant ``tag`` column and the row's position."""
    return table.append_column("tag", pa.array([tag] * table.num_rows, pa.string()))
