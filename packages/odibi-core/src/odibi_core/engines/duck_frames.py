"""Frames of the duckdb engine and their lineage: which schemas may be dropped when.

A frame is a view (or table) in a private schema; a view reads the frames it was built on (its
parents). A frame's schema is dropped once the frame was released *and* no live frame is built on
it, so releasing a node's output never breaks a frame a downstream node still reads.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from odibi_core.contracts.requests import ColumnInfo


@dataclass(eq=False)
class DuckFrame:
    """A frame of the duckdb engine: a qualified view or table name plus its lineage."""

    ref: str
    schema: str | None
    kind: str = "view"
    parents: list[DuckFrame] = field(default_factory=list)
    live_children: int = 0
    released: bool = False
    scan: str | None = None
    """For a plain read of files (a scan, maybe filtered), the query whose first rows are a sample:
    they come without computing the rest."""
    columns: list[ColumnInfo] | None = None
    """The schema, once known: binding a view over CSV re-runs DuckDB's sniffer, so ask once."""
    body: str | None = None
    """The user's SQL of a SQL step's frame: a check runs it as written, so an error points
    into it."""
    depth: int = 0
    """Views stacked under this frame (0 for a table)."""
    footer_counted: bool = False
    """A plain read of local Parquet files: DuckDB counts its rows from their footers, no data
    read."""

    def __repr__(self) -> str:
        return f"DuckFrame({self.ref})"


def collect_droppable(frame: DuckFrame) -> list[DuckFrame]:
    """``frame`` and the ancestors that die with it, if ``frame`` is released and unread.

    Iterative (a chain of thousands of nodes is a lineage thousands deep); call it under the
    engine's lock. A collected frame is marked so it is never collected twice.
    """
    dropped: list[DuckFrame] = []
    stack = [frame]
    while stack:
        current = stack.pop()
        if not current.released or current.live_children != 0:
            continue
        dropped.append(current)
        current.live_children = -1  # never collected twice
        for parent in current.parents:
            parent.live_children -= 1
            stack.append(parent)
    return dropped
