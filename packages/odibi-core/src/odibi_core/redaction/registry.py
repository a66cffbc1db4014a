"""The process-wide redaction registry: known secret values, their variants, and patterns.

:func:`redact_text` masks, in one pass, every registered value in every form it may take (see
:mod:`odibi_core.redaction.variants`), also when its whitespace was changed (see
:mod:`odibi_core.redaction.whitespace`), and every piece of 8 or more characters of one left at
a cut (see :mod:`odibi_core.redaction.fragments`) - longest first, overlapping matches merged -
then every credential recognisable by its shape (see :mod:`odibi_core.redaction.patterns`). It
never raises: if redaction itself fails, the result is :data:`REDACTION_FAILED`, never the raw
text. The replacement is :func:`~odibi_core.redaction.mask.current_mask` (``[REDACTED]`` unless
configured).
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable
from typing import Any

from odibi_core.redaction.fragments import FragmentIndex
from odibi_core.redaction.mask import DEFAULT_MASK, current_mask
from odibi_core.redaction.matcher import KnownValueMatcher, Span, merge_spans
from odibi_core.redaction.patterns import (
    find_credentials,
    is_secret_value_for_key,
    is_sensitive_key,
    mask_credentials,
)
from odibi_core.redaction.variants import text_forms, variants
from odibi_core.redaction.whitespace import (
    CollapsedText,
    collapse_whitespace,
    has_inner_whitespace,
    has_irregular_whitespace,
)

MASK = DEFAULT_MASK
"""The default mask, ``[REDACTED]``; the one in force is
:func:`~odibi_core.redaction.mask.current_mask`."""

REDACTION_FAILED = "<redaction failed>"
"""Printed instead of a value when redaction itself raised."""

MIN_SECRET_LENGTH = 4
"""Values shorter than this (after stripping whitespace) are not registered: masking them would
mask ordinary words. The first such value of a process logs one warning naming its source."""

_MAX_DEPTH = 64

NAME_KEYED = frozenset({"pipelines", "nodes", "connections", "high_water_marks", "versions"})
"""Mappings whose keys are names chosen by users or plugins (a node called ``api_token``), not
field names: :meth:`RedactionRegistry.redact_value` never masks a value whole because of such a
key (its text is still redacted like any other)."""

logger = logging.getLogger("odibi.redaction")

_LINE_BREAKS = re.compile(r"[\n\r]")
"""What ends a line for :class:`~odibi_core.redaction.process.RedactingStream`."""


class RedactionRegistry:
    """A thread-safe set of secret values with lazily compiled matchers.

    Values registered after the last compilation go into a small extra matcher, so registering
    one more secret never recompiles a thousand; matchers are consolidated when the extras grow
    past a quarter of the whole. Secrets with whitespace inside also get a matcher of their
    collapsed forms (used only on text with irregular whitespace), and every secret's pieces go
    into a :class:`~odibi_core.redaction.fragments.FragmentIndex`.
    """

    def __init__(self, min_length: int = MIN_SECRET_LENGTH) -> None:
        self.min_length = min_length
        self._values: set[str] = set()
        self._variants: set[str] = set()
        self._pending: set[str] = set()
        self._matchers: tuple[KnownValueMatcher, ...] = ()
        self._spaced: set[str] = set()
        self._spaced_matcher: KnownValueMatcher | None = None
        self._fragments = FragmentIndex()
        self._multiline: frozenset[str] = frozenset()  # forms with a line break inside
        self._lock = threading.Lock()
        self._warned_short = False

    def __len__(self) -> int:
        return len(self._values)

    def __contains__(self, value: object) -> bool:
        return isinstance(value, str) and value in self._values

    def add(self, value: object, *, source: str = "") -> bool:
        """Register a secret value (a ``SecretStr`` is unwrapped; other objects use ``str``).

        Returns ``False`` for ``None``, empty or blank values, and for values shorter than
        ``min_length`` (the first of which logs one warning naming ``source``, never the value).
        """
        if value is None:
            return False
        getter = getattr(value, "get_secret_value", None)
        if callable(getter):
            value = getter()
        if isinstance(value, (bytes, bytearray)):
            value = bytes(value).decode("utf-8", "replace")
        text = value if isinstance(value, str) else str(value)
        if not text.strip():
            return False
        if len(text.strip()) < self.min_length:
            self._warn_short(source)
            return False
        with self._lock:
            if text in self._values:
                return True
            self._values.add(text)
            flat = collapse_whitespace(text)  # masked even if shorter than min_length
            forms = text_forms(text)
            # every readable form with its whitespace squeezed (a repr keeps "  ", a message
            # reflowed after it was built does not): matched as is, and on reflowed text
            spaced = {collapse_whitespace(f) for f in forms if has_inner_whitespace(f)}
            spaced = {f for f in spaced if len(f) >= self.min_length or f == flat}
            new = {v for v in variants(text) if len(v) >= self.min_length or v == flat}
            new = (new | spaced) - self._variants
            self._variants |= new
            self._pending |= new
            if spaced - self._spaced:
                self._spaced |= spaced
                self._spaced_matcher = None
            self._fragments.add(forms | spaced)
            broken = {f for f in new if _LINE_BREAKS.search(f.strip())}
            if broken:
                self._multiline = self._multiline | broken
        return True

    def held_suffix(self, text: str) -> int:
        """How many characters at the end of ``text`` to hold back before writing it out.

        A line-oriented writer (:class:`~odibi_core.redaction.process.RedactingStream`) redacts
        and passes on each completed line; a secret with a line break inside would be cut at the
        break and each piece, too short to be recognised alone, would pass. So when ``text``
        ends with the beginning of such a secret, up to and including one of its line breaks,
        that end is held until more text arrives (or the stream is closed). Returns ``0`` when
        no registered secret has a line break (no cost beyond one check).
        """
        multiline = self._multiline
        if not multiline or not text:
            return 0
        last = text[-1]
        held = 0
        for form in multiline:
            for i, char in enumerate(form[:-1]):
                k = i + 1
                if char == last and k > held and form[:k].strip() and text.endswith(form[:k]):
                    held = k
        if held:
            # never cut through a secret that is already whole in ``text`` (``ab\ncd\n``: the
            # end ``cd\n`` may not start another one if it ends this one)
            cut = len(text) - held
            for start, end in merge_spans(self._known_spans(text)):
                if start < cut < end:
                    cut = end
            held = len(text) - cut
        return held

    def _warn_short(self, source: str) -> None:
        if self._warned_short:
            return
        self._warned_short = True
        logger.warning(
            "a secret (%s) is shorter than %d characters: it is not masked in output; "
            "use a longer value",
            source or "unnamed",
            self.min_length,
        )

    def add_many(self, values: Iterable[object], *, source: str = "") -> None:
        """Register several values."""
        for value in values:
            self.add(value, source=source)

    def clear(self) -> None:
        """Forget every registered value and re-arm the short-value warning (tests, long-lived
        hosts)."""
        with self._lock:
            self._values.clear()
            self._variants.clear()
            self._pending.clear()
            self._matchers = ()
            self._spaced.clear()
            self._spaced_matcher = None
            self._fragments.clear()
            self._multiline = frozenset()
            self._warned_short = False

    def _current_matchers(self) -> tuple[KnownValueMatcher, ...]:
        if not self._pending:
            return self._matchers
        with self._lock:
            if self._pending:
                compiled = sum(m.size for m in self._matchers)
                if compiled >= 4 * len(self._pending):
                    self._matchers = (*self._matchers, KnownValueMatcher(self._pending))
                else:
                    self._matchers = (KnownValueMatcher(self._variants),)
                self._pending = set()
            return self._matchers

    def _spaced_spans(self, text: str) -> list[Span]:
        matcher = self._spaced_matcher
        if matcher is None:
            with self._lock:
                if self._spaced_matcher is None and self._spaced:
                    self._spaced_matcher = KnownValueMatcher(self._spaced)
                matcher = self._spaced_matcher
        if matcher is None:
            return []
        collapsed = CollapsedText(text)
        return [collapsed.original_span(s, e) for s, e in matcher.spans(collapsed.text)]

    def _known_spans(self, text: str) -> list[Span]:
        """Where registered secrets (any form, any whitespace, pieces at a cut) are in ``text``."""
        matchers = self._current_matchers() if self._pending else self._matchers
        if len(matchers) == 1:
            spans = matchers[0].spans(text)
        else:
            spans = [span for matcher in matchers for span in matcher.spans(text)]
        if self._spaced and has_irregular_whitespace(text):
            spans.extend(self._spaced_spans(text))
        spans.extend(self._fragments.spans(text))
        return spans

    def _mask_known(self, text: str, *, keep_lines: bool = False) -> str:
        spans = self._known_spans(text)
        if not spans:
            return text
        mask = current_mask()
        parts: list[str] = []
        pos = 0
        for start, end in merge_spans(spans):
            parts.append(text[pos:start])
            parts.append(mask)
            if keep_lines:
                parts.append("\n" * text.count("\n", start, end))
            pos = end
        parts.append(text[pos:])
        return "".join(parts)

    def redact(self, text: str, *, keep_lines: bool = False) -> str:
        """Mask every registered value (in every variant, whatever its whitespace became), every
        piece of one left at a cut, and every credential pattern in ``text``.

        ``keep_lines=True`` keeps the line breaks of what is masked after the mask, so line *n*
        of the result is line *n* of ``text``: redact a whole text this way and split it into
        lines afterwards, never the other way round (a secret with a line break inside, redacted
        line by line, would leave pieces too short to be recognised).

        Never raises; returns :data:`REDACTION_FAILED` if something inside went wrong.
        """
        try:
            if not isinstance(text, str):
                text = str(text)
            return mask_credentials(self._mask_known(text, keep_lines=keep_lines))
        except Exception:  # never let a redaction bug print the raw value
            return REDACTION_FAILED

    def redact_value(self, value: Any) -> Any:
        """Redact strings inside nested dicts, lists, tuples and sets; mask values under
        sensitive keys (see :func:`~odibi_core.redaction.patterns.is_secret_value_for_key`), except
        where the keys are names (the entries of a :data:`NAME_KEYED` mapping).

        Strings (and bytes) are redacted with :meth:`redact`; numbers, booleans and ``None`` are
        kept; other objects are returned unchanged (turn them into text first). Never raises.
        """
        try:
            return self._redact_value(value, 0)
        except Exception:
            return REDACTION_FAILED

    def _redact_value(self, value: Any, depth: int, names: bool = False) -> Any:
        if isinstance(value, str):
            return self.redact(value)
        if value is None or isinstance(value, (bool, int, float)):
            return value
        if depth > _MAX_DEPTH:
            return REDACTION_FAILED
        if isinstance(value, dict):
            out: dict[Any, Any] = {}
            for key, item in value.items():
                new_key = self.redact(key) if isinstance(key, str) else key
                out[new_key] = (
                    current_mask()
                    if not names and is_secret_value_for_key(key, item)
                    else self._redact_value(item, depth + 1, key in NAME_KEYED)
                )
            return out
        if isinstance(value, (list, tuple, set, frozenset)):
            items = [self._redact_value(item, depth + 1) for item in value]
            if isinstance(value, tuple) and hasattr(value, "_fields"):
                return type(value)(*items)  # a namedtuple
            try:
                return type(value)(items)
            except Exception:
                return items
        if isinstance(value, (bytes, bytearray)):
            decoded = bytes(value).decode("utf-8", "surrogateescape")
            redacted = self.redact(decoded)
            return value if redacted == decoded else redacted.encode("utf-8", "surrogateescape")
        return value


_REGISTRY = RedactionRegistry()


def get_registry() -> RedactionRegistry:
    """The process-wide registry."""
    return _REGISTRY


def reset_registry() -> None:
    """Forget every registered value (for tests and long-lived hosts between projects)."""
    _REGISTRY.clear()


def register_secret(value: object, *, source: str = "") -> bool:
    """Register ``value`` so it is masked in every output of this process.

    Args:
        value: The secret (a ``str``; a pydantic ``SecretStr`` is unwrapped).
        source: What it is, for the one warning about too-short values (e.g. ``"secret DB_PASS"``);
            never the value itself.

    Returns:
        ``True`` if registered (or already known); ``False`` if empty or shorter than
        :data:`MIN_SECRET_LENGTH`.
    """
    return _REGISTRY.add(value, source=source)


def redact_text(text: str) -> str:
    """``text`` with every registered secret (in every form) and recognisable credential masked.

    Example::

        >>> register_secret("hunter2-hunter2")
        True
        >>> redact_text("login failed for password hunter2-hunter2")
        'login failed for password [REDACTED]'
    """
    return _REGISTRY.redact(text)


def redact_lines(text: str) -> list[str]:
    """The lines of ``text`` (split at ``\\n`` only), redacted as one text: a secret with a
    line break inside is masked whole, on the line where it starts, and the lines it covered
    stay (what is left of them), so line *n* is still line *n*."""
    return _REGISTRY.redact(text, keep_lines=True).split("\n")


def redact_value(value: Any) -> Any:
    """A copy of ``value`` (dicts, lists, tuples, sets, strings) with secrets masked.

    Values under sensitive keys (``password``, ``token``, ...) are replaced by the mask whole.
    """
    return _REGISTRY.redact_value(value)


def register_config_values(data: Any, key: object = None) -> None:
    """Register every value under a sensitive key, and credentials embedded in any string.

    ``password: x`` registers ``x``; ``dsn: postgresql://u:x@h/db`` registers the DSN and ``x``;
    ``url: https://h/?sig=x`` registers ``x``.
    """
    if isinstance(data, dict):
        for k, v in data.items():
            register_config_values(v, k)
    elif isinstance(data, (list, tuple)):
        for v in data:
            register_config_values(v, key)
    elif isinstance(data, (str, int, float)) and not isinstance(data, bool):
        if key is not None and is_secret_value_for_key(key, data):
            register_secret(data, source=f"config key {key}")
        if isinstance(data, str):
            for credential in find_credentials(data):
                register_secret(credential, source="credential embedded in a config value")


__all__ = [
    "MASK",
    "MIN_SECRET_LENGTH",
    "REDACTION_FAILED",
    "RedactionRegistry",
    "get_registry",
    "is_sensitive_key",
    "redact_lines",
    "redact_text",
    "redact_value",
    "register_config_values",
    "register_secret",
    "reset_registry",
]
