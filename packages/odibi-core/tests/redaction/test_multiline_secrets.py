"""Secrets with a line break inside, wherever text is handled line by line.

A short secret such as ``ab\\ncd`` has no piece long enough to be recognised alone, so every
place that splits text into lines must redact before it splits (or hold a line back until the
rest of the secret arrives).
"""

from __future__ import annotations

import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from odibi_core.engines.duck_errors import split_excerpt
from odibi_core.errors import SqlPosition
from odibi_core.execution.failure import sql_excerpt
from odibi_core.redaction import MASK, redact_lines, register_secret, reset_registry
from odibi_core.redaction.process import RedactingStream

pytestmark = pytest.mark.usefixtures("clean_redaction")

SHORT = "\x16V\nihe"  # pieces of 2 and 3 characters: never recognisable alone


def _stream_output(writes: list[str]) -> str:
    target = io.StringIO()
    stream = RedactingStream(target)
    for text in writes:
        stream.write(text)
    stream.finish()
    return target.getvalue()


def test_print_of_a_short_secret_with_a_line_break_is_masked() -> None:
    """``print`` writes the text and its newline separately: the first line break falls inside
    the secret, and the stream must not pass ``\\x16V`` on before it knows what follows."""
    register_secret(SHORT)
    out = _stream_output([f"printed {SHORT}", "\n", "next line\n"])
    assert out == f"printed {MASK}\nnext line\n"


def test_a_line_ending_like_the_start_of_a_secret_is_only_held_until_the_next_write() -> None:
    register_secret(SHORT)
    target = io.StringIO()
    stream = RedactingStream(target)
    stream.write("ends with \x16V\n")
    assert target.getvalue() == "ends with "  # the possible start of the secret waits...
    stream.write("other\n")
    assert target.getvalue() == "ends with \x16V\nother\n"  # ...and goes with the next line
    stream.write("no secret here\n")
    assert target.getvalue().endswith("no secret here\n")  # nothing else is held


def test_lines_are_not_held_when_no_secret_has_a_line_break() -> None:
    register_secret("one-line-secret")
    target = io.StringIO()
    stream = RedactingStream(target)
    stream.write("a line\n")
    assert target.getvalue() == "a line\n"


def test_redact_lines_masks_a_secret_across_lines_and_keeps_the_line_count() -> None:
    register_secret(SHORT)
    text = f"SELECT '{SHORT}' AS v\nFROM t"
    lines = redact_lines(text)
    assert len(lines) == len(text.split("\n")) == 3
    assert lines[0] == f"SELECT '{MASK}"
    assert lines[1] == "' AS v"  # what is left of the line the secret ended on
    assert lines[2] == "FROM t"


def test_the_sql_excerpt_of_an_error_masks_a_secret_with_a_line_break() -> None:
    register_secret(SHORT)
    sql = f"SELECT '{SHORT}' AS v,\n  1 1"
    excerpt = sql_excerpt(sql, SqlPosition(line=3, column=5, length=1))
    assert excerpt is not None
    assert "\x16V" not in excerpt
    assert "ihe" not in excerpt
    assert MASK in excerpt
    assert excerpt.splitlines()[-1].endswith("^")


def test_duckdb_excerpt_is_found_when_the_sql_holds_another_line_separator() -> None:
    """DuckDB ends lines with \\n only: a U+2028 inside a literal is data, not a line break."""
    message = (
        'Parser Error: syntax error at or near "1"\n\n'
        "LINE 2: ...$$K/\u2028abc...\n"
        "                ^"
    )
    kept, excerpt = split_excerpt(message)
    assert kept == ['Parser Error: syntax error at or near "1"']
    assert excerpt is not None
    assert "\u2028" in excerpt[1]


LINE_BREAK_SECRETS = st.builds(
    lambda a, brk, b: a + brk + b,
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=2, max_size=5),
    st.sampled_from(["\n", "\r\n", "\r"]),
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=2, max_size=5),
).filter(lambda s: len(s.strip()) >= 4 and s.split()[0].strip() and s.split()[-1].strip())


@settings(max_examples=150, deadline=None)
@given(
    secret=LINE_BREAK_SECRETS,
    before=st.text(alphabet="xyz \n", max_size=12),
    after=st.text(alphabet="xyz \n", max_size=12),
    cuts=st.lists(st.integers(0, 60), max_size=4),
)
def test_however_a_secret_with_a_line_break_is_written_it_never_passes_whole(
    secret: str, before: str, after: str, cuts: list[int]
) -> None:
    """Text holding the secret, written in arbitrary pieces: the output never holds it, and
    everything else arrives unchanged and in order."""
    reset_registry()
    register_secret(secret)
    text = f"{before}{secret}{after}\n"
    points = sorted({min(c, len(text)) for c in cuts})
    pieces = [text[i:j] for i, j in zip([0, *points], [*points, len(text)], strict=True)]
    out = _stream_output([p for p in pieces if p])
    assert secret not in out
    assert " ".join(secret.split()) not in " ".join(out.split())  # nor reflowed
    assert MASK in out
