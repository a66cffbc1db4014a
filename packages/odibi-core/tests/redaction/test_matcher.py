"""The matcher finds exactly what a brute-force search finds, through the gate and the fallback."""

from __future__ import annotations

import random

import pytest
from odibi_core.redaction.matcher import KnownValueMatcher, merge_spans


def brute_force(words: list[str], text: str) -> list[tuple[int, int]]:
    spans = []
    for start in range(len(text)):
        best = max((w for w in words if text.startswith(w, start)), key=len, default=None)
        if best:
            spans.append((start, start + len(best)))
    return merge_spans(spans)


@pytest.mark.parametrize("seed", range(12))
def test_matches_equal_brute_force_on_random_words_and_texts(seed: int) -> None:
    rnd = random.Random(seed)
    alphabet = "abc" if seed % 2 else "abcdefgh%+/="
    words = [
        "".join(rnd.choice(alphabet) for _ in range(rnd.randint(4, 14)))
        for _ in range(rnd.randint(1, 40))
    ]
    matcher = KnownValueMatcher(words)
    for _ in range(40):
        text = "".join(rnd.choice(alphabet + "xyz ") for _ in range(rnd.randint(0, 120)))
        if rnd.random() < 0.5:  # plant a word
            word = rnd.choice(words)
            at = rnd.randint(0, len(text))
            text = text[:at] + word + text[at:]
        assert merge_spans(matcher.spans(text)) == brute_force(words, text)
        if brute_force(words, text):
            assert matcher.might_contain(text)


def test_a_deep_chain_of_words_sharing_a_prefix_matches_like_brute_force() -> None:
    words = ["q" * n + "!" for n in range(4, 1500, 3)]
    matcher = KnownValueMatcher(words)
    for text in ("zz" + "q" * 40 + "!" + "q" * 6 + "!", "q" * 1499 + "!", "q" * 3 + "!"):
        assert merge_spans(matcher.spans(text)) == brute_force(words, text)


def test_building_a_matcher_of_hostile_unicode_words_is_cheap() -> None:
    import time

    words = ["\U0001d11e\u00e9%\\" * 40 + str(i) for i in range(2000)]
    started = time.process_time()
    matcher = KnownValueMatcher(words)
    assert time.process_time() - started < 5  # no regex to compile (measured: well under 0.1 s)
    assert merge_spans(matcher.spans("x" + words[7] + "y")) == [(1, 1 + len(words[7]))]


def test_gate_samples_with_a_stride_when_every_word_is_long() -> None:
    matcher = KnownValueMatcher(["a-long-secret-value", "another-long-one"])
    assert matcher.stride == 8
    assert matcher.might_contain("prefix a-long-secret-value suffix")
    assert not matcher.might_contain("node orders succeeded: 42 rows in 0.5s")


def test_merge_spans_merges_overlapping_and_touching() -> None:
    assert merge_spans([(5, 8), (0, 3), (2, 4), (8, 9), (11, 12)]) == [(0, 4), (5, 9), (11, 12)]
