"""The engine contract: how a node's data is read, transformed, checked and written.

An engine holds the frames of one pipeline run. Frames are engine-native objects (a DuckDB view, a
pandas ``DataFrame``, a Spark ``DataFrame``) wrapped in nothing: the kernel passes them back to the
same engine and never looks inside. **Arrow is the interchange**: a table-like connection hands the
engine a ``pyarrow.RecordBatchReader`` (:meth:`Engine.from_arrow`) and receives one back
(:meth:`Engine.to_arrow`), so a new connection works with every engine and data streams in bounded
memory. File-like connections give the engine a path or URI and the engine reads it natively.

SQL dialect subset promised on every engine (tested by the engine contract suite and the parity
tests): ``SELECT`` with ``JOIN ... USING/ON`` (inner, left), ``WHERE`` (comparisons, ``AND/OR/NOT``,
``IN`` lists and subqueries, ``BETWEEN``, ``LIKE``, ``IS [NOT] NULL``), ``GROUP BY``, ``HAVING``,
``ORDER BY``, ``UNION ALL``, ``CASE``, ``CAST`` to ``STRING``, ``BIGINT``, ``INT``, ``DOUBLE``,
``DECIMAL(p, s)``, ``BOOLEAN``, ``DATE``, ``TIMESTAMP``; ``COALESCE``, ``sum/count/min/max/avg``,
``count(DISTINCT x)``, ``count(*) FILTER (WHERE ...)``, ``lower/upper``. Identifiers may be
double-quoted (``"col"``), strings are single-quoted, names are case-insensitive. Upstream nodes
are tables named after the node; the current frame of a node is the table ``this``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

# The request types live in their own module (connections use them without the engine contract);
# they are re-exported here, where they were first defined.
from odibi_core.contracts.requests import (
    WRITE_MODES,
    ColumnInfo,
    ReadRequest,
    WriteRequest,
)

if TYPE_CHECKING:
    import pyarrow as pa

    from odibi_core.contracts.connection import Connection

CURRENT_FRAME_NAME = "this"
"""The table name under which a SQL step sees the node's current frame."""


@dataclass(frozen=True)
class WriteCounts:
    """What a write did, when an engine can say more than one number (see :meth:`Engine.write`).

    Attributes:
        written: Rows this write added to the target (``append``) or put in it (other modes).
        total: Rows in the target after the write, when known without an extra pass.
    """

    written: int
    total: int | None = None


def write_counts(returned: int | WriteCounts, mode: str) -> WriteCounts:
    """Normalise what :meth:`Engine.write` returned. A bare ``int`` is the rows written; it is
    also the target's total for the modes that replace the target (``overwrite``, ``error``)."""
    if isinstance(returned, WriteCounts):
        return returned
    rows = int(returned)
    return WriteCounts(written=rows, total=rows if mode in ("overwrite", "error") else None)


class Engine(ABC):
    """Holds the frames of one run and performs every data operation of a node.

    Implementations must be safe to call from several worker threads at once for *different*
    nodes (the runner executes a DAG layer in parallel). Register one with
    :func:`odibi_core.plugins.hookspecs.OdibiHookSpecs.odibi_engines`.
    """

    sql_dialect: str = "duckdb"
    """SQL dialect of :meth:`sql` as sqlglot names it; transformers render their SQL for it."""

    name: str = "engine"

    @abstractmethod
    def read(self, connection: Connection, request: ReadRequest) -> Any:
        """Return a frame for ``request`` read through ``connection`` (lazily where possible)."""

    @abstractmethod
    def sql(self, query: str, tables: Mapping[str, Any]) -> Any:
        """Run ``query`` where each key of ``tables`` names a frame; return the result frame."""

    @abstractmethod
    def call(
        self,
        func: Callable[..., Any],
        frame: Any,
        params: Mapping[str, Any],
        *,
        frame_kind: str = "native",
        inputs: Mapping[str, Any] | None = None,
    ) -> Any:
        """Call a Python step: convert ``frame`` to ``frame_kind``, call, convert the result back.

        ``inputs`` (upstream frames by name) is passed as ``inputs=`` when the function accepts it.
        """

    @abstractmethod
    def write(self, frame: Any, connection: Connection, request: WriteRequest) -> int | WriteCounts:
        """Write ``frame``; return the rows *this write* added (``append``) or wrote (other
        modes), as an ``int`` or as :class:`WriteCounts` to report the target's total as well.
        A failure must leave the previous output intact."""

    @abstractmethod
    def count(self, frame: Any) -> int:
        """Number of rows, computed without collecting data to the driver."""

    def cheap_count(self, frame: Any) -> int | None:
        """Rows of ``frame`` if counting them costs no pass over the data (a materialised table,
        an in-memory frame), else ``None``. Used for the rows a node read."""
        return None

    @abstractmethod
    def schema(self, frame: Any) -> list[ColumnInfo]:
        """Column names and types of ``frame`` (cheap: no pass over the data)."""

    @abstractmethod
    def to_arrow(self, frame: Any) -> pa.RecordBatchReader:
        """Stream ``frame`` as Arrow record batches."""

    @abstractmethod
    def from_arrow(self, reader: pa.RecordBatchReader | pa.Table) -> Any:
        """Make a frame from Arrow data."""

    def sample(self, frame: Any, n: int) -> pa.Table | None:
        """At most ``n`` rows of ``frame`` for run reports, or ``None`` if they are not cheap to
        get.

        A sample must never cost a pass over large data. This default reads only the first batch
        of :meth:`to_arrow`, which is cheap for engines whose readers stream lazily; engines
        override it (a ``LIMIT``, the file they just wrote) and return ``None`` when the first rows
        of ``frame`` can only be had by computing all of it (an aggregate, a sort, a join).
        """
        reader = self.to_arrow(frame)
        try:
            try:
                batch = reader.read_next_batch()
            except StopIteration:
                return reader.schema.empty_table()
        finally:
            close = getattr(reader, "close", None)
            if close is not None:
                close()
        import pyarrow as pa

        return pa.Table.from_batches([batch.slice(0, n)])

    def max_value(self, frame: Any, column: str) -> Any:
        """Largest value of ``column`` (for incremental high-water marks); ``None`` if empty."""
        result = self.sql(
            f'SELECT max("{column}") AS m FROM {CURRENT_FRAME_NAME}', {CURRENT_FRAME_NAME: frame}
        )
        table = self.to_arrow(result).read_all()
        return table.column(0)[0].as_py() if table.num_rows else None

    def aggregate(self, frame: Any, expressions: Mapping[str, str]) -> dict[str, Any]:
        """Evaluate SQL aggregate ``expressions`` (alias -> expression) over ``frame`` in one pass.

        Validations use this so that every check of a node costs a single scan of its data.
        """
        select = ", ".join(f'{expr} AS "{alias}"' for alias, expr in expressions.items())
        result = self.sql(f"SELECT {select} FROM {CURRENT_FRAME_NAME}", {CURRENT_FRAME_NAME: frame})
        row = self.to_arrow(result).read_all().to_pylist()
        return dict(row[0]) if row else {alias: None for alias in expressions}

    def compute(self, frame: Any, aggregates: Mapping[str, str] | None = None) -> dict[str, Any]:
        """Compute every column of every row of ``frame`` once, keeping nothing, and evaluate the
        SQL
        aggregate ``aggregates`` (alias -> expression, as in :meth:`aggregate`) in the same pass.

        This is how the kernel makes sure a node's whole output was computed when nothing else
        computes it (a node no other node reads and that writes nothing), and how validations run:
        no check may pass on a frame that fails to compute. A lazy engine must evaluate every
        column (an optimiser may not drop a column no aggregate mentions: hash every row, for
        example); an error while computing raises an ``OdibiError`` (an
        :class:`~odibi_core.errors.EngineError` with ``position`` when the engine can tell where in
        the SQL of ``frame`` it failed).

        This default streams :meth:`to_arrow` (computing everything) and then calls
        :meth:`aggregate`: correct for any engine, two passes. Engines override it with one.
        """
        reader = self.to_arrow(frame)
        try:
            for _ in reader:
                pass
        finally:
            close = getattr(reader, "close", None)
            if close is not None:
                close()
        return self.aggregate(frame, aggregates) if aggregates else {}

    def is_computed(self, frame: Any) -> bool:
        """Whether the rows of ``frame`` already exist (an eager engine, a materialised table).

        ``False`` (the default) makes the kernel treat ``frame`` as lazy: computed where a
        consumer needs it, checked when that consumer fails.
        """
        return False

    def interrupt(self) -> None:  # noqa: B027 (optional hook: the default does nothing)
        """Cancel every computation of this engine that is running, as soon as possible.

        Called from another thread when the run is interrupted (Ctrl-C, SIGTERM); must not block.
        The cancelled operations raise, and later ones may raise too: the run is ending. A write
        that is cancelled must leave the previous output intact (as any failed write does).
        """

    def persist(self, frame: Any) -> Any:
        """Compute ``frame`` once and keep it, because several consumers will read it.

        The runner calls this for a node output with two or more consumers (dependents + write).
        Lazy engines materialise (DuckDB table, Spark cache), computing every column of every row
        now, so an error surfaces in the node that produced the frame; eager ones return
        ``frame``.
        """
        return frame

    def release(self, frame: Any) -> None:  # noqa: B027 (optional hook: the default does nothing)
        """Drop whatever ``frame`` holds; called once no downstream node needs it."""

    def close(self) -> None:  # noqa: B027 (optional hook: the default does nothing)
        """Release every resource of the run (sessions, temp files)."""


__all__ = [
    "CURRENT_FRAME_NAME",
    "WRITE_MODES",
    "ColumnInfo",
    "Engine",
    "ReadRequest",
    "WriteCounts",
    "WriteRequest",
    "write_counts",
]
