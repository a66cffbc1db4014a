"""The layout of a node failure: redacted first, lines kept, a caret under the spot, one hint."""

from __future__ import annotations

import pytest
from odibi_core.contracts.lifecycle import NodeResult
from odibi_core.engines.duckdb_engine import EngineError
from odibi_core.errors import NodeError, OdibiError, SqlPosition, StateError
from odibi_core.execution.failure import (
    MAX_MESSAGE_LINES,
    Phase,
    describe_failure,
    format_failure,
    layout_message,
    resolve_position,
    sql_excerpt,
    step_hint,
)
from odibi_core.redaction import MASK, register_secret

SQL = "SELECT id,\n       CAST(name AS INTEGER) AS n\nFROM people"


def test_multi_line_messages_keep_their_lines_and_are_capped() -> None:
    assert (
        layout_message('Binder Error: x\nCandidate bindings: "y"\n\n')
        == 'Binder Error: x\nCandidate bindings: "y"'
    )
    long = "\n".join(f"line {i}" for i in range(MAX_MESSAGE_LINES + 5))
    laid = layout_message(long).splitlines()
    assert len(laid) == MAX_MESSAGE_LINES + 1
    assert laid[-1] == "(5 more lines)"
    assert layout_message("") == "(no message)"


def test_a_secret_with_inner_whitespace_is_redacted_before_any_layout(
    clean_redaction: None,
) -> None:
    secret = "pa ss\tword-42"
    register_secret(secret, source="test")
    laid = layout_message(f"connect failed for {secret}   \nsecond line")
    assert secret not in laid
    assert MASK in laid
    assert laid.endswith("second line")


def test_the_caret_sits_under_the_spot_even_after_a_redacted_secret(clean_redaction: None) -> None:
    sql = "SELECT 'Sup3r-Secret-Value' AS k,\n       nope AS n FROM t"
    register_secret("Sup3r-Secret-Value", source="test")
    excerpt = sql_excerpt(sql, SqlPosition(2, 8, 4)) or ""
    assert "Sup3r-Secret-Value" not in excerpt
    lines = excerpt.splitlines()
    assert lines[2].index("^") == lines[1].index("nope")
    assert lines[2].count("^") == 4
    redacted_line = "SELECT 'Sup3r-Secret-Value' AS k, nope"
    one = sql_excerpt(redacted_line, SqlPosition(1, redacted_line.index("nope") + 1, 4)) or ""
    assert one.splitlines()[1].index("^") == one.splitlines()[0].index("nope")


def test_a_long_sql_is_shown_around_the_line_pointed_at() -> None:
    sql = "\n".join(f"-- line {i}" for i in range(1, 41))
    excerpt = (sql_excerpt(sql, SqlPosition(20, 4, 4)) or "").splitlines()
    assert excerpt[0].startswith("17 |")
    assert excerpt[-1].startswith("23 |")
    assert len(excerpt) == 8


@pytest.mark.parametrize(
    ("position", "expected"),
    [
        (SqlPosition(2, 8, 21), SqlPosition(2, 8, 21)),
        (SqlPosition(9, 1, 1), None),
        (SqlPosition(0, 0, 21, "CAST(name AS INTEGER)"), SqlPosition(2, 8, 21)),
        (
            SqlPosition(1, 3, 4, "CAST(name AS INTEGER)"),
            SqlPosition(2, 8, 21),
        ),  # offsets of another text
        (None, None),
    ],
)
def test_positions_are_checked_against_the_sql(
    position: SqlPosition | None, expected: SqlPosition | None
) -> None:
    resolved = resolve_position(SQL, position)
    assert (resolved[:3] if resolved else None) == (expected[:3] if expected else None)


def test_a_failure_names_where_and_gives_the_engines_hint_first() -> None:
    phase = Phase("sql", step=2, sql=SQL)
    error = EngineError("Conversion Error: bad\nmore detail", position=SqlPosition(2, 8, 21))
    text = describe_failure(error, where=phase.describe(), phase=phase, hint="fallback hint")
    assert text.error == "step 2 (sql): Conversion Error: bad\nmore detail"
    assert text.step == 2
    assert text.error_type == "EngineError"
    assert text.hint == "fallback hint"
    assert "CAST(name AS INTEGER)" in (text.sql_excerpt or "")
    own = describe_failure(
        OdibiError("x", hint="the error's own hint"), where="write", hint="fallback"
    )
    assert own.hint == "the error's own hint"
    assert own.error == "write: OdibiError: x"
    assert describe_failure(StateError("gone"), where=None).error == "StateError: gone"
    assert describe_failure(
        NodeError("node 'n' failed validation", node="n"), where=None
    ).error == ("node 'n' failed validation")
    assert (
        describe_failure(ValueError("boom"), where="step 1 (function f)").error
        == "step 1 (function f): ValueError: boom"
    )


def test_hints_say_where_to_fix_the_step() -> None:
    assert "step 2 (sql) of node n at odibi.yaml:14" in step_hint(
        "n", Phase("sql", step=2), "odibi.yaml:14"
    )
    assert "read at odibi.yaml:3" in step_hint("n", Phase("read"), "odibi.yaml:3")
    assert "Python step 'f'" in step_hint("n", Phase("function", step=1, function="f"), None)


def test_the_console_block_indents_every_line_under_the_node() -> None:
    result = NodeResult(
        name="n",
        status="failed",
        error="step 1 (sql): A\nB",
        error_sql="1 | x\n  | ^",
        error_hint="fix it",
    )
    assert format_failure(result) == [
        "node n failed: step 1 (sql): A",
        "  B",
        "    1 | x",
        "      | ^",
        "  hint: fix it",
    ]
