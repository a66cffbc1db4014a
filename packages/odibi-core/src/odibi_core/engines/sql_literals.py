"""Rendering Python values as SQL literals for engines that cannot bind parameters in views."""

from __future__ import annotations

import datetime as dt
import decimal
import json
from typing import Any


def sql_literal(value: Any) -> str:
    """A SQL literal for ``value`` (strings quoted with doubled quotes; no injection possible)."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float, decimal.Decimal)):
        return repr(value) if not isinstance(value, decimal.Decimal) else str(value)
    if isinstance(value, dt.datetime):
        kind = "TIMESTAMPTZ" if value.tzinfo is not None else "TIMESTAMP"
        return f"{kind} '{value.isoformat(sep=' ')}'"
    if isinstance(value, dt.date):
        return f"DATE '{value.isoformat()}'"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(sql_literal(v) for v in value) + "]"
    if isinstance(value, dict):
        return sql_literal(json.dumps(value))
    return "'" + str(value).replace("'", "''") + "'"


def quote_identifier(name: str) -> str:
    """Double-quote an identifier (embedded quotes doubled)."""
    return '"' + name.replace('"', '""') + '"'
