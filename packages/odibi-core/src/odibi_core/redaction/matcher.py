"""Finding registered values in text, fast, longest first, whatever the number of secrets.

Two stages:

1. A gate. Every word (a secret variant) is at least ``shortest`` characters long, so any
   occurrence fully covers one of the text's 4-character windows starting at a multiple of
   ``stride`` (``stride = shortest - 3``, at most 8). The gate maps the 4-grams each word has at
   offsets ``0 .. stride-1`` to those offsets, and looks the text's sampled windows up: a few
   C-level slices and one ``isdisjoint``, so a line holding no secret costs about a microsecond.
2. Each window that hits names the few positions where a word may start (window position minus
   the gram's offsets). There, the words beginning with the text's next ``gram`` characters -
   one dictionary lookup, longest first - are tried with ``str.startswith``; the first that
   fits is the longest word starting at that position. Spans are merged, so ``abcde`` and
   ``abcdefgh`` never leave ``[REDACTED]fgh`` and overlapping secrets never leave a piece of
   either.

Nothing is compiled: building a matcher of thousands of variants costs a few dictionary
inserts per word, so registering secrets stays cheap whatever characters they hold.
"""

from __future__ import annotations

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
        buckets: dict[str, list[str]] = {}
        for word in ordered:
            buckets.setdefault(word[: self.gram], []).append(word)
        self._buckets = {
            head: tuple(sorted(group, key=len, reverse=True)) for head, group in buckets.items()
        }

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
        gram, buckets = self.gram, self._buckets
        for start in sorted(starts):
            if start < 0:
                continue
            for word in buckets.get(text[start : start + gram], ()):
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
