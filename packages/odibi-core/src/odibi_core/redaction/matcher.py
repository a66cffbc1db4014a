"""Finding registered values in text, fast, longest first, whatever the number of secrets.

Two stages:

1. A gate. Every word (a secret variant) is at least ``shortest`` characters long, so any
   occurrence fully covers one of the text's 4-character windows starting at a multiple of
   ``stride`` (``stride = shortest - 3``, at most 8). The gate maps the 4-grams each word has at
   offsets ``0 .. stride-1`` to those offsets, and looks the text's sampled windows up: a few
   C-level slices and one ``isdisjoint``, so a line holding no secret costs about a microsecond.
2. Each window that hits names the few positions where a word may start (window position minus
   the gram's offsets). There, one compiled regex of the words' prefix tree, anchored with
   ``match``, returns the longest word starting at that position. Spans are merged, so
   ``abcde`` and ``abcdefgh`` never leave ``[REDACTED]fgh`` and overlapping secrets never leave a
   piece of either.

If the regex cannot be built (pathological nesting), a ``str.startswith`` check of the words,
longest first, takes over at the same candidate positions: slower, same result.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator

GRAM = 4
"""Window length of the gate (never more than the shortest word)."""

MAX_STRIDE = 8
"""Largest distance between sampled windows."""

Span = tuple[int, int]


class KnownValueMatcher:
    """Matches a fixed set of words (see the module docstring). Immutable once built."""

    def __init__(self, words: Collection[str]) -> None:
        ordered = sorted({w for w in words if w})
        if not ordered:
            raise ValueError("a matcher needs at least one non-empty word")
        self.size = len(ordered)
        self.shortest = min(len(w) for w in ordered)
        self.gram = min(GRAM, self.shortest)
        self.stride = max(1, min(MAX_STRIDE, self.shortest - self.gram + 1))
        offsets: dict[tuple[str, ...], set[int]] = {}
        for word in ordered:
            for off in range(self.stride):
                offsets.setdefault(tuple(word[off : off + self.gram]), set()).add(off)
        self._offsets = {gram: tuple(sorted(offs)) for gram, offs in offsets.items()}
        self._grams = self._offsets.keys()
        self._pattern: re.Pattern[str] | None
        self._longest_first: list[str] = []
        try:
            self._pattern = re.compile(_trie_regex(ordered))
        except (RecursionError, re.error, OverflowError, MemoryError):
            self._pattern = None
            self._longest_first = sorted(ordered, key=lambda w: (-len(w), w))

    def _windows(self, text: str) -> Iterator[tuple[str, ...]]:
        step = self.stride
        if self.gram == GRAM:
            return zip(text[0::step], text[1::step], text[2::step], text[3::step], strict=False)
        return zip(*(text[i::step] for i in range(self.gram)), strict=False)

    def might_contain(self, text: str) -> bool:
        """``False`` only if no word occurs in ``text`` (cheap; false positives are fine)."""
        return len(text) >= self.shortest and not self._grams.isdisjoint(self._windows(text))

    def spans(self, text: str) -> list[Span]:
        """``(start, end)`` of the longest word starting at each position where one starts."""
        if len(text) < self.shortest or self._grams.isdisjoint(self._windows(text)):
            return []
        windows = self._windows(text)
        starts: set[int] = set()
        step = self.stride
        for index, window in enumerate(windows):
            offs = self._offsets.get(window)
            if offs:
                starts.update(index * step - off for off in offs)
        found: list[Span] = []
        for start in sorted(starts):
            if start < 0:
                continue
            if self._pattern is not None:
                match = self._pattern.match(text, start)
                if match:
                    found.append(match.span())
                continue
            for word in self._longest_first:
                if text.startswith(word, start):
                    found.append((start, start + len(word)))
                    break
        return found


def merge_spans(spans: list[Span]) -> list[Span]:
    """Sort and merge overlapping or touching spans."""
    if not spans:
        return []
    spans.sort()
    merged = [spans[0]]
    for start, end in spans[1:]:
        last_start, last_end = merged[-1]
        if start <= last_end:
            if end > last_end:
                merged[-1] = (last_start, end)
        else:
            merged.append((start, end))
    return merged


def _trie_regex(words: list[str]) -> str:
    """A regex matching any of the sorted, unique ``words``, preferring the longest.

    Built over a compressed prefix tree: a shared prefix is written once, each branch starts
    with a distinct character, and a word that is a prefix of others makes the rest optional
    (greedy, so the longer word wins). Recursion depth is the number of branch points on a
    path, not the word length, so a 4,000-character key is fine.
    """

    def build(group: list[str], depth: int) -> str:
        first, last = group[0], group[-1]
        common = depth
        limit = min(len(first), len(last))
        while common < limit and first[common] == last[common]:
            common += 1
        prefix = re.escape(first[depth:common])
        ends_here = len(first) == common  # sorted: the word equal to the prefix comes first
        rest = group[1:] if ends_here else group
        if not rest:
            return prefix
        branches: list[str] = []
        i = 0
        while i < len(rest):
            ch = rest[i][common]
            j = i + 1
            while j < len(rest) and rest[j][common] == ch:
                j += 1
            branches.append(build(rest[i:j], common))
            i = j
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return prefix + (f"(?:{body})?" if ends_here else body)

    return build(words, 0)
