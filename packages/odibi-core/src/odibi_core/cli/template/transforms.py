"""Python steps of the quickstart project (found automatically beside odibi.yaml)."""

import pyarrow as pa
import pyarrow.compute as pc
from odibi_core import transform


@transform(frame="arrow")
def add_margin(table: pa.Table, rate: float) -> pa.Table:
    """Add a ``margin`` column: ``amount * rate``, rounded to cents."""
    margin = pc.round(pc.multiply(pc.cast(table["amount"], pa.float64()), rate), 2)
    return table.append_column("margin", margin)
