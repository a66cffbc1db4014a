"""Query parameters bound as literals by psycopg's adapters (``COPY`` cannot take parameters).

A read streams its rows through ``COPY (SELECT ...) TO STDOUT``, and PostgreSQL accepts no
server-side parameters in a ``COPY`` statement. So the query's ``%(name)s`` placeholders are
replaced by literals that psycopg's own adapters produce (``psycopg.sql.Literal``): quoting,
escaping (``E'...'`` for backslashes, so it is right whatever ``standard_conforming_strings``
says) and a type cast where the Python type implies one (``'2026-01-01'::date``). A value is never
pasted into the SQL text by string formatting.

The placeholder syntax is psycopg's: ``%(name)s`` (``%(name)b`` and ``%(name)t`` too), and ``%%``
for a literal percent sign. Like psycopg, placeholders are found anywhere in the text, string
literals included, so write ``%%`` for every percent sign of a query that has ``params``. A query
without ``params`` is sent exactly as written.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from odibi_connector_postgres.errors import PostgresError

PLACEHOLDER = re.compile(r"%(?:\(([^)]*)\)(.?)|(.?))", re.DOTALL)
"""``%`` followed by ``(name)`` and a format letter, or by any one character (or nothing)."""

FORMATS = frozenset("sbt")


def bind(query: str, params: Mapping[str, Any]) -> str:
    """``query`` with every ``%(name)s`` replaced by the literal of ``params[name]``.

    Raises:
        PostgresError: a placeholder names no parameter, a positional ``%s`` appears, a
            ``%`` starts no placeholder, or psycopg cannot adapt a value.
    """
    from psycopg import sql

    def literal(match: re.Match[str]) -> str:
        name, fmt, other = match.groups()
        if name is None:
            if other == "%":
                return "%"
            if other in FORMATS and other:
                raise PostgresError(
                    "the query has a positional placeholder %" + other + "; with params, "
                    "name every placeholder: %(name)s",
                    hint="Write a literal percent sign as %% in a query that has params.",
                )
            raise PostgresError(
                f"the query has a lone % followed by {other!r}; with params, write a literal "
                "percent sign as %%",
                hint="Placeholders are %(name)s; a literal percent sign is %%.",
            )
        if fmt not in FORMATS or not fmt:
            raise PostgresError(
                f"placeholder %({name}) must end with s, b or t, e.g. %({name})s",
                hint="Placeholders are %(name)s; a literal percent sign is %%.",
            )
        if name not in params:
            known = ", ".join(sorted(params)) or "none"
            raise PostgresError(
                f"the query uses %({name})s but params has no {name!r} (params: {known})"
            )
        try:
            return sql.Literal(params[name]).as_string(None)
        except Exception as exc:  # psycopg's adaptation errors
            raise PostgresError(
                f"parameter {name!r} ({type(params[name]).__name__}) cannot be bound: {exc}",
                hint="Give a string, a number, a boolean, a date or a timestamp.",
            ) from None

    return PLACEHOLDER.sub(literal, query)
