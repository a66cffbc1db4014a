"""SQL of the original: the current frame ``df`` (or ``current_df``) becomes ``this``.

The SQL is parsed with sqlglot and only table references are renamed, so a column or string
literal that happens to say ``df`` is left alone.
"""

from __future__ import annotations

import re

OLD_FRAME_NAMES = ("df", "current_df")
"""Names the original gave the node's current frame in SQL."""

FRAME_WORD = re.compile(r"\b(?:df|current_df)\b", re.IGNORECASE)
"""Cheap pre-check: SQL without these words has no frame reference and is not parsed at all."""

DATE_REFERENCE = re.compile(r"\$\{date:([^}:]+)(?::([^}]+))?\}")


def rewrite_frame_references(sql: str, dialect: str = "duckdb") -> tuple[str, bool]:
    """``sql`` with table ``df`` renamed to ``this``: ``(sql, changed)``.

    Raises ``ValueError`` if ``sql`` does not parse.
    """
    if not FRAME_WORD.search(sql):
        return sql, False
    import sqlglot
    from sqlglot import exp
    from sqlglot.errors import ParseError

    try:
        trees = sqlglot.parse(sql, read=dialect)
    except ParseError as exc:
        raise ValueError(str(exc).splitlines()[0]) from None
    changed = False
    ctes = set()
    for tree in trees:
        if tree is None:
            continue
        ctes |= {c.alias_or_name.lower() for c in tree.find_all(exp.CTE)}
        for table in tree.find_all(exp.Table):
            name = table.name.lower()
            if name in OLD_FRAME_NAMES and name not in ctes and not table.args.get("db"):
                alias = table.alias
                table.set("this", exp.to_identifier("this"))
                if not alias:
                    table.set("alias", exp.TableAlias(this=exp.to_identifier(name)))
                changed = True
    if not changed:
        return sql, False
    return ";\n".join(t.sql(dialect=dialect, pretty=True) for t in trees if t is not None), True


def sql_date_expression(expression: str, fmt: str | None) -> str | None:
    """A SQL expression for a 3.x ``${date:EXPR}`` (``None`` if there is no exact equivalent)."""
    named = {
        "today": "CURRENT_DATE",
        "yesterday": "CURRENT_DATE - INTERVAL 1 DAY",
        "start_of_month": "DATE_TRUNC('month', CURRENT_DATE)",
        "start_of_year": "DATE_TRUNC('year', CURRENT_DATE)",
        "end_of_month": "LAST_DAY(CURRENT_DATE)",
    }
    if fmt is not None and fmt != "%Y-%m-%d":
        return None
    if expression in named:
        value = named[expression]
    else:
        match = re.fullmatch(r"([+-]?)(\d+)([dwmy])", expression)
        if not match:
            return None
        sign, amount, unit = match.groups()
        word = {"d": "DAY", "w": "WEEK", "m": "MONTH", "y": "YEAR"}[unit]
        value = f"CURRENT_DATE {'-' if sign == '-' else '+'} INTERVAL {amount} {word}"
    return f"strftime(CAST({value} AS DATE), '%Y-%m-%d')"


def rewrite_date_references(sql: str) -> tuple[str, list[str]]:
    """Replace ``'${date:...}'`` literals in SQL by SQL date expressions.

    Returns the new SQL and the references that could not be converted.
    """
    failed: list[str] = []

    def replace(match: re.Match[str]) -> str:
        converted = sql_date_expression(match.group(1), match.group(2))
        if converted is None:
            failed.append(match.group(0))
            return match.group(0)
        return converted

    quoted = re.compile(r"'(\$\{date:[^}]+\})'")
    out = quoted.sub(lambda m: replace(DATE_REFERENCE.match(m.group(1))), sql)  # type: ignore[arg-type]
    return out, failed
