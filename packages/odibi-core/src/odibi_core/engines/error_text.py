"""Turning an engine's error text into what a user should read.

Engines run the user's SQL inside statements of their own (views in private schemas, a ``COPY``
to a staging file). Their messages may name those: schemas like ``odibi_12_sql``, the view
``odibi_result``, staging files like ``.orders.csv.odibi-tmp-1a2b``. None of that means anything to
the user, so it is removed here; a position in the SQL is converted between a character offset
and a line and column of the user's text.
"""

from __future__ import annotations

import re

from odibi_core.errors import SqlPosition

_INTERNAL_SCHEMA = re.compile(r'"?\bodibi_\d+_[A-Za-z0-9]*"?\.')
_INTERNAL_VIEW = re.compile(r'"?\bodibi_(?:result|incoming|frame)\b"?')
_STAGING = re.compile(
    r"(?P<folder>[^\s'\"]*?)\.(?P<name>[^/\\\s'\"]+?)\.odibi-(?:tmp|old|new|stage)[-\w]*"
)


def scrub_internal_names(text: str) -> str:
    """``text`` without internal schema and view names; staging files named by their target."""
    text = _STAGING.sub(lambda m: m.group("folder") + m.group("name"), text)
    text = _INTERNAL_SCHEMA.sub("", text)
    return _INTERNAL_VIEW.sub("the step's result", text)


def engine_lines(text: str) -> list[str]:
    """The lines of ``text`` as engines count them (and :func:`position_of_offset`): split at
    ``\\n`` only, a ``\\r`` before it dropped. A U+2028 or a form feed inside a literal is data,
    not a line break, so ``str.splitlines()`` would misnumber the lines after it."""
    return [line.removesuffix("\r") for line in text.split("\n")]


def position_of_offset(sql: str, start: int, stop: int | None = None) -> SqlPosition | None:
    """The line and column (1-based) of character ``start`` of ``sql``; ``stop`` is inclusive."""
    if start < 0 or start >= len(sql):
        return None
    line = sql.count("\n", 0, start) + 1
    column = start - (sql.rfind("\n", 0, start) + 1) + 1
    end = stop if stop is not None and stop >= start else start
    line_end = sql.find("\n", start)
    last = len(sql) - 1 if line_end < 0 else line_end - 1  # a caret never runs past its line
    return SqlPosition(line, column, max(1, min(end, last) - start + 1))


def locate_fragment(sql: str, fragment: str) -> SqlPosition | None:
    """Where ``fragment`` occurs in ``sql``, if it occurs exactly once."""
    if not fragment or sql.count(fragment) != 1:
        return None
    start = sql.index(fragment)
    return position_of_offset(sql, start, start + len(fragment) - 1)
