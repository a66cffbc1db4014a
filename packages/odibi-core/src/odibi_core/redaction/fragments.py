"""Pieces of a secret left at a cut: ``LINE 1: ...e_ABCDEFGHIJ' AS v``.

Odibi redacts before it shortens anything, but text shortened by someone else (a database quoting
the neighbourhood of an error, a driver clipping a long value) arrives already cut, and the whole
secret is no longer there to be found. So wherever text may have been cut - at its start and its
end, and on both sides of a truncation marker (``...``, ``…``) - any run of :data:`FRAGMENT_LENGTH`
or more characters that also occurs in a registered secret is masked.

The index holds every :data:`FRAGMENT_LENGTH`-character window of each secret's textual forms; a
candidate is a chain of windows found in the index, grown from the edge outwards one character at
a time. Looking costs a few set lookups per edge, so text without markers pays two.
"""

from __future__ import annotations

from collections.abc import Iterable

FRAGMENT_LENGTH = 8
"""Shortest piece of a secret masked at a cut (shorter pieces say too little to matter, and
masking them would hide ordinary words)."""

TRUNCATION_MARKERS = ("...", "\u2026")
"""Text that says "something was cut here"."""

Span = tuple[int, int]


class FragmentIndex:
    """The :data:`FRAGMENT_LENGTH`-character windows of registered secrets."""

    def __init__(self) -> None:
        self._windows: set[str] = set()

    def __bool__(self) -> bool:
        return bool(self._windows)

    def __len__(self) -> int:
        return len(self._windows)

    def add(self, forms: Iterable[str]) -> None:
        """Index every window of each form (forms shorter than a window add nothing)."""
        n = FRAGMENT_LENGTH
        for form in forms:
            self._windows.update(form[i : i + n] for i in range(len(form) - n + 1))

    def clear(self) -> None:
        """Forget every window."""
        self._windows.clear()

    def spans(self, text: str) -> list[Span]:
        """Spans of secret pieces at the ends of ``text`` and beside truncation markers."""
        windows, n = self._windows, FRAGMENT_LENGTH
        if len(text) < n or not windows:
            return []
        ellipsis, dots = "\u2026" in text, "..." in text
        plain_edges = not (ellipsis or dots or text[0].isspace() or text[-1].isspace())
        if plain_edges and text[:n] not in windows and text[-n:] not in windows:
            return []  # the common case: two lookups
        found: list[Span] = []
        start, end = 0, len(text)
        while start < end and text[start].isspace():  # the edge is where the text starts
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        self._grow_forward(text, start, found)
        self._grow_backward(text, end, found)
        for marker, present in (("...", dots), ("\u2026", ellipsis)):
            at = text.find(marker) if present else -1
            while at >= 0:
                after = at + len(marker)
                while after < len(text) and text.startswith(marker[0], after):
                    after += 1  # "...." is one marker, or a marker beside a piece's own dots;
                # and a piece may run into the marker's own characters: a secret "ab...cd"
                # cut after "ab." shows "ab....", whose first dots read as the secret's. So a
                # run may end, or start, anywhere in the marker
                for split in range(at, after + 1):
                    self._grow_backward(text, split, found)
                    self._grow_forward(text, split, found)
                at = text.find(marker, after)
        return found

    def _grow_forward(self, text: str, start: int, found: list[Span]) -> None:
        n, windows = FRAGMENT_LENGTH, self._windows
        if text[start : start + n] not in windows:
            return
        end = start + n
        while end < len(text) and text[end - n + 1 : end + 1] in windows:
            end += 1
        found.append((start, end))

    def _grow_backward(self, text: str, end: int, found: list[Span]) -> None:
        n, windows = FRAGMENT_LENGTH, self._windows
        if end < n or text[end - n : end] not in windows:
            return
        start = end - n
        while start > 0 and text[start - 1 : start - 1 + n] in windows:
            start -= 1
        found.append((start, end))
