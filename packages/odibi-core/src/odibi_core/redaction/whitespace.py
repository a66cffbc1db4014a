"""Matching secrets whatever their whitespace became: ``a\\tb  c`` is found as ``a b c`` too.

Output is often reformatted after the fact: an error squeezed onto one line, a message re-indented
under a heading, a tab turned into spaces. A secret with whitespace inside must still be found, so
the registry also knows each secret's *collapsed* form (every whitespace run one space, ends
stripped) and, for text holding irregular whitespace (a tab, a line break, two spaces...), matches
the collapsed forms against a collapsed copy of the text. :class:`CollapsedText` maps what it
finds back to the original positions, so the whole original run is masked.
"""

from __future__ import annotations

import re
from bisect import bisect_right

IRREGULAR_WHITESPACE = re.compile(r"\s{2,}|[^\S ]")
"""A whitespace run that is not exactly one space (what collapsing changes)."""

_ANY_WHITESPACE = re.compile(r"\s")

Span = tuple[int, int]


def collapse_whitespace(text: str) -> str:
    """``text`` with every whitespace run as one space and no whitespace at either end."""
    return " ".join(text.split())


def has_inner_whitespace(text: str) -> bool:
    """Whether ``text`` has whitespace anywhere but at its ends."""
    return _ANY_WHITESPACE.search(text.strip()) is not None


def has_irregular_whitespace(text: str) -> bool:
    """Whether collapsing would change ``text`` anywhere but at its ends."""
    return IRREGULAR_WHITESPACE.search(text) is not None


class CollapsedText:
    """``text`` with each irregular whitespace run replaced by one space, and the way back.

    Attributes:
        text: The collapsed text (ends are kept, so positions stay easy to map).
    """

    def __init__(self, text: str) -> None:
        pieces: list[str] = []
        runs: list[tuple[int, int, int]] = []  # (collapsed index, original start, original end)
        pos = 0
        shift = 0
        for match in IRREGULAR_WHITESPACE.finditer(text):
            start, end = match.span()
            pieces.append(text[pos:start])
            pieces.append(" ")
            runs.append((start - shift, start, end))
            shift += end - start - 1
            pos = end
        pieces.append(text[pos:])
        self.text = "".join(pieces)
        self._runs = runs
        self._keys = [index for index, _, _ in runs]

    def _original(self, index: int, *, end: bool) -> int:
        i = bisect_right(self._keys, index) - 1
        if i < 0:
            return index + end
        at, start, stop = self._runs[i]
        if at == index:  # the space standing for a whole run
            return stop if end else start
        return stop + (index - at - 1) + end

    def original_span(self, start: int, end: int) -> Span:
        """The span of the original text that ``self.text[start:end]`` stands for."""
        return self._original(start, end=False), self._original(end - 1, end=True)
