"""Pieces of a secret left at a cut are masked: text ends, ``...`` and ``…`` on either side."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from odibi_core.redaction import MASK, RedactionRegistry, redact_text, register_secret
from odibi_core.redaction.fragments import FRAGMENT_LENGTH
from odibi_core.redaction.shorten import clip, clip_start, first_line, one_line

pytestmark = pytest.mark.usefixtures("clean_redaction")

SECRET = "yyyyyyyyyyyyyyyyyyyyyyyyyyyyyprefix_secret_value_ABCDEFGHIJ"


def pieces(secret: str, length: int = FRAGMENT_LENGTH) -> set[str]:
    return {secret[i : i + length] for i in range(len(secret) - length + 1)}


def leaked(secret: str, text: str) -> list[str]:
    return sorted(p for p in pieces(secret) if p in text)


def test_duckdb_context_cut_inside_a_secret_shows_none_of_it() -> None:
    duckdb = pytest.importorskip("duckdb")
    register_secret(SECRET)
    try:
        duckdb.sql(f"SELECT '{SECRET}' AS v, 1 1 FROM range(1)").fetchall()
    except duckdb.Error as exc:
        message = str(exc)
    else:  # pragma: no cover - the SQL is invalid on purpose
        raise AssertionError("expected a parser error")
    assert "LINE 1: ..." in message  # DuckDB really cut it
    assert SECRET not in message
    assert leaked(SECRET, message)  # ...and the piece it kept is long enough to matter
    out = redact_text(message)
    assert leaked(SECRET, out) == []
    assert f"LINE 1: ...{MASK}' AS v, 1 1" in out


@pytest.mark.parametrize("marker", ["...", "\u2026", "....", "\u2026\u2026"])
def test_pieces_beside_a_marker_are_masked_on_both_sides(marker: str) -> None:
    register_secret("AbCdEfGhIjKlMnOpQr")
    assert redact_text(f"before {marker}IjKlMnOpQr' rest") == f"before {marker}{MASK}' rest"
    assert redact_text(f"value 'AbCdEfGhIj{marker} more") == f"value '{MASK}{marker} more"
    assert redact_text(f"x {marker}EfGhIjKlMn{marker} y") == f"x {marker}{MASK}{marker} y"


def test_a_piece_that_begins_or_ends_with_the_markers_character_is_masked() -> None:
    # DuckDB printed "LINE 2: ....*+?;" for a secret holding ".*+?;": one of the four dots is
    # the secret's, and the piece after three of them is long enough to matter
    register_secret("AbCdEfGh.*+?;\x03xyZ.IjKl")
    assert redact_text("LINE 2: ....*+?;\x03xyZ rest") == f"LINE 2: ...{MASK} rest"
    assert redact_text("value 'EfGh.*+?;\x03xyZ.... more") == f"value '{MASK}... more"


def test_a_piece_running_into_the_markers_dots_is_masked() -> None:
    """A secret with dots of its own, cut right at them: DuckDB kept 7 characters and its
    "..." then reads as the secret's next ones, so 8 or more of the secret show in a row."""
    secret = ";\x13\xcf\U0010feac\u085b\u2f61...'\xba{0!r}\xff\x94`\xf1"
    register_secret(secret)
    shown = f"$$RRRRRRRR{secret[:7]}...\n"
    assert leaked(secret, shown)  # the cut alone shows a piece of eight
    out = redact_text(shown)
    assert leaked(secret, out) == []
    assert out.startswith("$$RRRRRRRR")
    assert MASK in out
    reverse = f"LINE 2: ...{secret[-9:]} rest"  # the marker's dots start the piece
    assert leaked(secret, redact_text("LINE 2: ..." + secret[-11:] + " rest")) == []
    assert leaked(secret, redact_text(reverse)) == []


@settings(max_examples=150, deadline=None)
@given(
    head=st.text(min_size=1, max_size=12),
    tail=st.text(max_size=12),
    into_dots=st.integers(min_value=0, max_value=3),
    marker=st.sampled_from(["...", "\u2026"]),
    context=st.text(alphabet="RL $", max_size=10),
)
def test_a_cut_at_a_secrets_own_marker_characters_leaves_no_piece_of_eight(
    head: str, tail: str, into_dots: int, marker: str, context: str
) -> None:
    """Secrets holding the marker's characters, cut just before, inside or after them: what the
    engine kept, with its marker after it, shows no 8-character piece of the secret."""
    secret = head + marker[0] * 3 + tail
    registry = RedactionRegistry()
    registry.add(secret)
    kept = secret[: min(len(head) + into_dots, len(secret) - 1)]
    text = f"{context}{kept}{marker} after"
    out = registry.redact(text)
    assert [p for p in pieces(secret) if p in out and p not in context + marker + " after"] == []


def test_pieces_at_the_ends_of_a_text_are_masked() -> None:
    register_secret("AbCdEfGhIjKlMnOpQr")
    assert redact_text("IjKlMnOpQr' AS v") == f"{MASK}' AS v"
    assert redact_text("password was AbCdEfGhIj") == f"password was {MASK}"
    assert redact_text("  \tIjKlMnOpQr\n") == f"  \t{MASK}\n"


def test_short_pieces_and_pieces_away_from_a_cut_are_left_alone() -> None:
    register_secret("AbCdEfGhIjKlMnOpQr")
    assert redact_text("...IjKlMnO rest") == "...IjKlMnO rest"  # 7 characters
    assert redact_text("a EfGhIjKlMn b") == "a EfGhIjKlMn b"  # not at a cut: text, not a piece


def test_a_piece_spanning_two_secrets_is_masked_whole() -> None:
    register_secret("first-secret-AAAAAAAA")
    register_secret("AAAAAAAA-second-secret")
    out = redact_text("...cret-AAAAAAAA-second-sec...")
    assert out == f"...{MASK}..."


def test_sql_escaped_pieces_are_masked_too() -> None:
    register_secret("it's-a-secret-value")
    assert redact_text("LINE 1: ...'s-a-secret-value' AS v") == f"LINE 1: ...{MASK}' AS v"
    assert redact_text("SELECT 'it''s-a-secret-value'") == f"SELECT '{MASK}'"


@pytest.mark.parametrize(
    "shorten",
    [
        lambda t: clip(t, 30),
        lambda t: clip_start(t, 30),
        lambda t: one_line(t, limit=30),
        lambda t: first_line(t, limit=30),
    ],
    ids=["clip", "clip_start", "one_line", "first_line"],
)
def test_every_shortening_helper_redacts_before_it_cuts(shorten) -> None:  # type: ignore[no-untyped-def]
    secret = "Sup3rS3cretValue-\t-0123456789"
    register_secret(secret)
    for pad in range(0, 40, 3):
        out = shorten("x" * pad + secret + " tail " + "z" * pad)
        assert leaked(secret, out) == [], (pad, out)
        assert len(out) <= 30


SECRETS = st.text(min_size=FRAGMENT_LENGTH, max_size=60).filter(lambda s: len(s.strip()) >= 4)


@settings(max_examples=300, deadline=None)
@given(
    secret=SECRETS,
    start=st.integers(min_value=0, max_value=60),
    stop=st.integers(min_value=0, max_value=60),
    marker=st.sampled_from(["...", "\u2026", ""]),
    before=st.text(max_size=12),
    after=st.text(max_size=12),
)
def test_any_cut_of_a_generated_secret_leaves_no_piece_of_eight(
    secret: str, start: int, stop: int, marker: str, before: str, after: str
) -> None:
    """Whatever part of a secret an engine keeps between markers, no 8-character piece shows."""
    registry = RedactionRegistry()
    registry.add(secret)
    kept = secret[start : max(start, len(secret) - stop)]
    if len(kept) < FRAGMENT_LENGTH:
        return
    left = marker if start else ""
    right = marker if stop else ""
    if not left and not right:
        return  # nothing was cut: the whole secret is a registered value (tested elsewhere)
    if left and not right:
        text = f"{before}{left}{kept}"
    elif right and not left:
        text = f"{kept}{right}{after}"
    else:
        text = f"{before}{left}{kept}{right}{after}"
    if not marker:  # a cut with no marker: only the ends of the text count
        text = kept
    out = registry.redact(text)
    assert [p for p in pieces(secret) if p in out and p not in text.replace(kept, "")] == []
