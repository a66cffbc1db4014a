"""A secret is found whatever its whitespace became: collapsed, re-spaced, split over lines."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from odibi_core.redaction import MASK, RedactionRegistry, redact_text, register_secret
from odibi_core.redaction.whitespace import CollapsedText, collapse_whitespace

pytestmark = pytest.mark.usefixtures("clean_redaction")

WHITESPACE = [" ", "  ", "\t", "\n", "\r\n", " \t ", "\u00a0", "\u2003", "\u3000", "\x0b", "\x1f"]


@pytest.mark.parametrize(
    "secret",
    [
        "tab\there",
        "two  spaces",
        "line\nbreak-secret",
        "mixed \t\n ws\u00a0secret",
        " edge  spaced ",
    ],
)
@pytest.mark.parametrize("shown_as", WHITESPACE)
def test_a_secret_with_whitespace_is_masked_whatever_whitespace_replaces_its_own(
    secret: str, shown_as: str
) -> None:
    register_secret(secret)
    words = secret.split()
    printed = shown_as.join(words)
    out = redact_text(f"failed with {printed} end")
    assert out.count(MASK) == 1  # (a secret's own edge whitespace may go with it)
    assert out.replace(MASK, " ").split() == ["failed", "with", "end"]


def test_collapsing_the_redacted_text_never_reveals_the_secret() -> None:
    register_secret("ab\tcd  ef")
    message = "error: ab\tcd  ef; again ab cd ef; again ab\ncd\n\nef"
    flat = " ".join(redact_text(message).split())  # what a one-line display does
    assert flat == f"error: {MASK}; again {MASK}; again {MASK}"


def test_a_single_spaced_secret_is_found_across_line_breaks_and_indentation() -> None:
    register_secret("correct horse battery staple")
    text = "Error:\n    correct horse\n    battery staple\n"
    assert redact_text(text) == f"Error:\n    {MASK}\n"


def test_text_without_the_words_is_left_exactly_as_it_was() -> None:
    register_secret("ab\tcd")
    text = "keep\t\tthis  text\n as\u00a0it is: ab and cd apart"
    assert redact_text(text) == text


def test_whitespace_only_changes_never_join_two_unrelated_words_into_a_mask() -> None:
    registry = RedactionRegistry()
    registry.add("alpha beta")
    assert registry.redact("alphabeta") == "alphabeta"
    assert registry.redact("alpha\tbeta") == MASK


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab \t\n\u00a0\u2003"), max_size=40))
def test_collapsed_text_maps_every_span_back_to_the_original_run(text: str) -> None:
    collapsed = CollapsedText(text)
    assert collapse_whitespace(collapsed.text) == collapse_whitespace(text)
    for start in range(len(collapsed.text)):
        for end in range(start + 1, len(collapsed.text) + 1):
            o_start, o_end = collapsed.original_span(start, end)
            original = text[o_start:o_end]
            # the original piece collapses to the same text, and starts/ends where it should
            assert collapse_whitespace(original) == collapse_whitespace(collapsed.text[start:end])
            assert original[:1].isspace() == collapsed.text[start].isspace()
            assert original[-1:].isspace() == collapsed.text[end - 1].isspace()


SPACES = st.lists(st.sampled_from(WHITESPACE), min_size=1, max_size=3).map("".join)
WORDS = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Zs", "Zl", "Zp", "Cc")),
    min_size=1,
    max_size=6,
)


@settings(max_examples=300, deadline=None)
@given(
    words=st.lists(WORDS, min_size=2, max_size=4),
    inside=st.lists(SPACES, min_size=3, max_size=3),
    shown=st.lists(SPACES, min_size=3, max_size=3),
    before=st.text(max_size=10),
    after=st.text(max_size=10),
)
def test_generated_secrets_with_whitespace_never_survive_a_whitespace_change(
    words: list[str], inside: list[str], shown: list[str], before: str, after: str
) -> None:
    secret = "".join(w + inside[i % 3] for i, w in enumerate(words)).strip()
    registry = RedactionRegistry()
    if not registry.add(secret):
        return
    printed = "".join(w + shown[i % 3] for i, w in enumerate(words)).strip()
    out = registry.redact(f"{before} {printed} {after}")
    assert collapse_whitespace(secret) not in collapse_whitespace(out)
    assert printed not in out
