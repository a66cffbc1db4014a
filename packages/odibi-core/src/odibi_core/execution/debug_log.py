"""What ``--debug`` shows of a run: the plan, each node's resolved inputs and outputs, the SQL as
run, and how long each part took.

Every line goes to the ``odibi.run`` logger at DEBUG (so the redaction filter sees it) and is
built only when DEBUG is on. Values are redacted and then shortened
(:mod:`odibi_core.redaction.shorten`): a line is at most :data:`MAX_VALUE` characters of value,
a SQL statement at most :data:`MAX_SQL_LINES` lines.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from odibi_core.redaction import redact_lines
from odibi_core.redaction.shorten import clip

if TYPE_CHECKING:
    from odibi_core.contracts.connection import Connection
    from odibi_core.contracts.engine import ReadRequest, WriteRequest
    from odibi_core.planning.dag import Plan

logger = logging.getLogger("odibi.run")

MAX_VALUE = 300
"""Characters kept of one value (a path, an option list, a line of SQL)."""

MAX_SQL_LINES = 40
"""Lines of a SQL statement shown (the rest is summarised as ``(N more lines)``)."""


def enabled() -> bool:
    """Whether debug lines are wanted (nothing is built otherwise)."""
    return logger.isEnabledFor(logging.DEBUG)


def log_plan(plan: Plan, *, engine: str, workers: int) -> None:
    """The nodes to run, layer by layer, and how many run at once."""
    if not enabled():
        return
    chosen = [n for n in plan.order if n in plan.selected]
    logger.debug("plan: %d of %d node(s) in %d layer(s), engine %s, %d worker(s)",
                 len(chosen), len(plan.order), len(plan.layers), engine, workers)
    for number, layer in enumerate(plan.layers, 1):
        names = [n for n in layer if n in plan.selected]
        if names:
            logger.debug("plan: layer %d: %s", number, clip(", ".join(names), MAX_VALUE))


def where(connection: Connection, request: ReadRequest | WriteRequest) -> str:
    """Where a request points, resolved: the full path of a file connection, else its table."""
    from odibi_core.contracts.connection import FileConnection

    path = getattr(request, "path", None)
    if isinstance(connection, FileConnection) and path:
        try:
            resolved = connection.resolve(path)
            return clip(f"{connection.name} ({connection.type}) {resolved}", MAX_VALUE)
        except Exception:  # an unresolvable path is reported by the read itself
            pass
    return clip(f"{connection.name} ({connection.type}) {connection.describe(request)}", MAX_VALUE)


def log_read(node: str, connection: Connection, request: ReadRequest) -> None:
    """A node's resolved input: connection, full path or table, format and options."""
    if not enabled():
        return
    details = [f"format {request.format}"] if request.format else []
    if request.options:
        details.append(f"options {dict(request.options)}")
    if request.query:
        details.append(f"query {request.query}")
    if request.incremental_column is not None:
        details.append(f"{request.incremental_column} > {request.incremental_after!r}")
    logger.debug("node %s: read %s%s", node, where(connection, request),
                 clip(f" ({', '.join(details)})", MAX_VALUE) if details else "")


def log_write(node: str, connection: Connection, request: WriteRequest) -> None:
    """A node's resolved output: connection, full path or table, format and mode."""
    if not enabled():
        return
    details = [f"mode {request.mode}"] + ([f"format {request.format}"] if request.format else [])
    if request.keys:
        details.append(f"keys {', '.join(request.keys)}")
    logger.debug("node %s: write %s (%s)", node, where(connection, request), ", ".join(details))


def log_sql(node: str, label: str, sql: str, tables: list[str]) -> None:
    """The SQL of a step as it is run, line by line, and the frames it may name."""
    if not enabled():
        return
    lines = [clip(line.rstrip(), MAX_VALUE) for line in redact_lines(sql.strip("\n"))]
    if len(lines) > MAX_SQL_LINES:
        lines = [*lines[:MAX_SQL_LINES], f"({len(lines) - MAX_SQL_LINES} more lines)"]
    names = clip(", ".join(sorted(tables)), MAX_VALUE) or "none"
    body = "\n".join(f"    {line}" for line in lines)
    logger.debug("node %s: %s runs (tables: %s):\n%s", node, label, names, body)


def log_timing(node: str, label: str, seconds: float, rows: Any = None, *,
               lazy: bool = False) -> None:
    """How long a part of a node took (and its rows when they were counted anyway). A ``lazy``
    part only described its rows: the part that reads them computes them."""
    if not enabled():
        return
    counted = f", {rows} rows" if rows is not None else ""
    deferred = " (lazy: computed when read downstream)" if lazy else ""
    logger.debug("node %s: %s took %.3fs%s%s", node, label, seconds, counted, deferred)
