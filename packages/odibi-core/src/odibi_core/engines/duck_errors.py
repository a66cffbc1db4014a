"""DuckDB errors as :class:`~odibi_core.errors.EngineError`: the engine's lines kept, its caret
turned into a position in the user's SQL, internal names removed.

DuckDB ends a message about a statement with the offending line and a caret under it::

    Conversion Error: Could not convert string 'abc' to INT32

    LINE 2:   CAST('abc' AS INTEGER) AS n FROM people
              ^^^^^^^^^^^^^^^^^^^^^^

When the statement embeds the user's SQL starting on its own line (``CREATE VIEW x AS\\n<sql>``),
``LINE n`` is line ``n - 1`` of the user's text and the caret's column is the user's column. Long
lines are shown as a window between ``...`` marks, so the excerpt is looked up in the user's line.
A caret under a statement of Odibi's own (a ``COPY``, a check) is dropped: it points at nothing the
user wrote.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from odibi_core.engines.error_text import engine_lines, scrub_internal_names
from odibi_core.errors import SqlPosition

if TYPE_CHECKING:
    from odibi_core.errors import EngineError

_LINE = re.compile(r"^LINE (\d+): (.*)$")
_CARET = re.compile(r"^( *)(\^+)\s*$")

STATEMENT_ERRORS = frozenset(
    {"ParserException", "BinderException", "CatalogException", "SyntaxException"}
)
"""DuckDB exception classes raised before any row is computed (the statement itself is wrong)."""


def split_excerpt(message: str) -> tuple[list[str], tuple[int, str, int, int] | None]:
    """The message's lines without DuckDB's ``LINE n:`` excerpt, and the excerpt as
    ``(line number, excerpt text, caret column in the excerpt (0-based), caret length)``."""
    lines = engine_lines(message.rstrip())
    for i, text in enumerate(lines):
        match = _LINE.match(text)
        caret = _CARET.match(lines[i + 1]) if i + 1 < len(lines) else None
        if match is None or caret is None:
            continue
        start = len(caret.group(1)) - len(f"LINE {match.group(1)}: ")
        kept = lines[:i] + lines[i + 2 :]
        while kept and not kept[-1].strip():
            kept.pop()
        return kept, (int(match.group(1)), match.group(2), max(start, 0), len(caret.group(2)))
    return lines, None


def user_position(
    sql: str, excerpt: tuple[int, str, int, int], line_offset: int
) -> SqlPosition | None:
    """Where the excerpt's caret points in ``sql`` (``None`` if it points outside it)."""
    number, shown, start, length = excerpt
    line = number - line_offset
    sql_lines = engine_lines(sql)
    if not 1 <= line <= len(sql_lines):
        return None
    text = sql_lines[line - 1]
    lead = 0
    core = shown
    if core.startswith("..."):
        core, lead = core[3:], 3
    if core.endswith("..."):
        core = core[:-3]
    found = text.find(core) if core else -1
    if found < 0:
        if lead or shown.rstrip() != text.rstrip():
            return None
        found = 0
    column = found + start - lead
    if not 0 <= column < max(len(text), 1):
        return None
    return SqlPosition(line, column + 1, max(1, min(length, len(text) - column)))


def from_duckdb(
    exc: BaseException,
    error_class: type[EngineError],
    *,
    sql: str | None = None,
    line_offset: int = 0,
) -> EngineError:
    """``exc`` (a ``duckdb.Error``) as ``error_class``.

    Args:
        exc: The DuckDB exception.
        error_class: The engine's :class:`~odibi_core.errors.EngineError` subclass.
        sql: The user's SQL that the failed statement embeds (``None``: a statement of Odibi's own).
        line_offset: Lines of the statement before the user's SQL starts.
    """
    lines, excerpt = split_excerpt(str(exc))
    position = user_position(sql, excerpt, line_offset) if sql is not None and excerpt else None
    message = (
        scrub_internal_names("\n".join(line.rstrip() for line in lines)).strip()
        or type(exc).__name__
    )
    computing = type(exc).__name__ not in STATEMENT_ERRORS
    return error_class(message, position=position, computing=computing)
