"""Which of a SQL step's tables its query can name (so only those get an alias view up front).

A SQL step of the duckdb engine sees its upstream frames and ``this`` through views in its own
schema. Creating a view binds the whole chain of views under it, so a view the query never reads
costs as much as one it reads. A query can only read a table whose name occurs in its text:
DuckDB matches identifiers case-insensitively, so a name that does not occur in the lower-cased
text, in any spelling, cannot be bound by it, unless the query builds a table name at run time
(``query_table``, ``query``): then every table counts as named. The test errs on the side of
creating a view (a name inside a comment or a longer word still counts), and the engine creates
the others and runs the statement again if it fails, so no query ever meets fewer names than
before.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TypeVar

T = TypeVar("T")

_DYNAMIC_NAME = re.compile(r"\bquery(_table)?\s*\(")
"""DuckDB's table functions that read a table named by a string built in the query."""


def split_named(tables: Mapping[str, T], query: str) -> tuple[dict[str, T], dict[str, T]]:
    """``tables`` split into those ``query`` may name and the rest (each in the given order)."""
    texts = (query.lower(), query.casefold())
    if any(_DYNAMIC_NAME.search(text) for text in texts):
        return dict(tables), {}
    named: dict[str, T] = {}
    unnamed: dict[str, T] = {}
    for name, value in tables.items():
        spellings = (name.lower(), name.casefold())
        if any(spelling in text for spelling in spellings for text in texts):
            named[name] = value
        else:
            unnamed[name] = value
    return named, unnamed
