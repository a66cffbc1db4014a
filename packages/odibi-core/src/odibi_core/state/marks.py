"""Incremental high-water marks: how a mark value is stored, and whose mark it is.

A mark belongs to one **environment** (the ``--env`` overlay, or :data:`DEFAULT_ENVIRONMENT`),
one **node** and that node's **target** (``connection:path`` or ``connection:table``, as the run
report shows it). Keying by environment means an overlay never inherits another environment's
progress; keeping the target means a node whose write moved starts again from the beginning
rather than skipping rows its new target never received.

Values are stored with their type (``{"type": "datetime", "value": "2024-01-03T09:00:00"}``) so
that they round-trip exactly and a garbage value is recognised as such when state is read.
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
from typing import Any

DEFAULT_ENVIRONMENT = "(default)"
"""Key of the marks of runs without ``--env`` (parentheses keep it apart from any overlay name)."""

NO_TARGET = ""
"""Target of a node that writes nothing."""

MARK_TYPES = ("bool", "int", "float", "decimal", "datetime", "date", "str")
"""Types a stored mark may have."""


class BadMark(ValueError):
    """A stored mark whose type is unknown or whose value does not match its type."""


def environment_key(environment: str | None) -> str:
    """The key marks of ``environment`` are stored under."""
    return environment if environment else DEFAULT_ENVIRONMENT


def encode_mark(value: Any) -> dict[str, Any] | None:
    """A high-water mark as ``{"type", "value"}`` JSON, so it round-trips exactly."""
    if value is None:
        return None
    if isinstance(value, bool):
        return {"type": "bool", "value": value}
    if isinstance(value, int):
        return {"type": "int", "value": value}
    if isinstance(value, float):
        return {"type": "float", "value": value}
    if isinstance(value, decimal.Decimal):
        return {"type": "decimal", "value": str(value)}
    if isinstance(value, dt.datetime):
        return {"type": "datetime", "value": value.isoformat()}
    if isinstance(value, dt.date):
        return {"type": "date", "value": value.isoformat()}
    return {"type": "str", "value": str(value)}


def decode_mark(kind: str, value: Any) -> Any:
    """The Python value of a stored mark; :class:`BadMark` if ``value`` does not fit ``kind``."""
    try:
        return _DECODERS[kind](value)
    except KeyError:
        raise BadMark(f"unknown mark type {kind!r} (known: {', '.join(MARK_TYPES)})") from None
    except (TypeError, ValueError, ArithmeticError) as exc:
        raise BadMark(f"{value!r} is not a valid {kind} mark ({exc})") from None


def _bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise TypeError("not a JSON boolean")
    return value


def _int(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError("not a JSON integer")
    return value


def _float(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise TypeError("not a finite JSON number")
    return float(value)


def _decimal(value: Any) -> decimal.Decimal:
    if not isinstance(value, str):
        raise TypeError("a decimal mark is stored as a string")
    parsed = decimal.Decimal(value)
    if not parsed.is_finite():
        raise ValueError("not finite")
    return parsed


def _datetime(value: Any) -> dt.datetime:
    if not isinstance(value, str):
        raise TypeError("a datetime mark is stored as an ISO-8601 string")
    return dt.datetime.fromisoformat(value)


def _date(value: Any) -> dt.date:
    if not isinstance(value, str):
        raise TypeError("a date mark is stored as an ISO-8601 string")
    return dt.date.fromisoformat(value)


def _str(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError("not a JSON string")
    return value


_DECODERS = {
    "bool": _bool,
    "int": _int,
    "float": _float,
    "decimal": _decimal,
    "datetime": _datetime,
    "date": _date,
    "str": _str,
}
