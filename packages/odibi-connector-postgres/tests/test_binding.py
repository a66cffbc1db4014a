"""Query parameters become literals made by psycopg's adapters, never formatted text."""

from __future__ import annotations

import datetime as dt
import decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from odibi_connector_postgres.binding import bind
from odibi_connector_postgres.errors import PostgresError


def test_named_placeholders_become_quoted_literals() -> None:
    query = "SELECT * FROM t WHERE a = %(a)s AND b > %(b)s AND c LIKE 'x%%'"
    assert bind(query, {"a": "it's", "b": 3}) == (
        "SELECT * FROM t WHERE a = 'it''s' AND b > 3 AND c LIKE 'x%'"
    )


def test_values_keep_their_types() -> None:
    bound = bind(
        "%(d)s %(ts)s %(n)s %(flag)s %(none)s",
        {
            "d": dt.date(2026, 1, 2),
            "ts": dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc),
            "n": decimal.Decimal("1.10"),
            "flag": True,
            "none": None,
        },
    )
    assert bound == ("'2026-01-02'::date '2026-01-02 03:04:05+00:00'::timestamptz 1.10 true NULL")


def test_backslashes_use_escape_string_syntax() -> None:
    assert bind("%(v)s", {"v": "a\\b"}).strip() == "E'a\\\\b'"


@pytest.mark.parametrize(
    ("query", "params", "message"),
    [
        ("SELECT %(x)s", {"y": 1}, "params has no 'x'"),
        ("SELECT %s", {"y": 1}, "positional placeholder"),
        ("SELECT 5 % 2, %(y)s", {"y": 1}, "lone %"),
        ("SELECT %(y)d", {"y": 1}, "must end with s, b or t"),
        ("SELECT %(y)s", {"y": {"a": 1}}, "cannot be bound"),
        ("SELECT %(y)s 100%", {"y": 1}, "lone %"),
    ],
)
def test_malformed_placeholders_fail_clearly(query: str, params: dict, message: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(PostgresError, match=message):
        bind(query, params)


@settings(max_examples=200, deadline=None)
@given(
    value=st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")),
    before=st.text(alphabet="ab ()'\"\\;-", max_size=8),
)
def test_a_bound_string_is_one_literal_whatever_it_holds(value: str, before: str) -> None:
    sql_text = before + "%(v)s"
    bound = bind(sql_text, {"v": value})
    literal = bound[len(before) :].strip()
    if literal.startswith("E'"):
        body = literal[2:-1]
        assert body.replace("''", "").replace("\\\\", "").count("'") == 0
        assert body.replace("\\\\", "").count("\\") == 0
    else:
        assert literal.startswith("'")
        assert literal.endswith("'")
        assert literal[1:-1].replace("''", "").count("'") == 0
