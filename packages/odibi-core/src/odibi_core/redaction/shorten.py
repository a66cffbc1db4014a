"""Shortening and reflowing text for display - always *after* redaction.

Cutting or re-spacing text first and redacting afterwards leaks: a secret cut in half is no
longer found whole, and ``a<TAB>b`` squeezed to ``a b`` no longer matches ``a<TAB>b``. Every
helper here redacts the whole text first and only then reshapes it; use them (or do the same)
wherever text that may hold a secret is shortened::

    from odibi_core.redaction.shorten import clip, first_line, one_line

    span.set_status(Status(StatusCode.ERROR, clip(str(exc), 500)))
    error = one_line(driver_message, limit=2000)
"""

from __future__ import annotations

from odibi_core.redaction.registry import redact_text
from odibi_core.redaction.whitespace import collapse_whitespace

ELLIPSIS = "\u2026"
"""Marker ending a text that was cut."""


def clip(text: object, limit: int, *, marker: str = ELLIPSIS) -> str:
    """``text`` redacted, then cut to at most ``limit`` characters (ending in ``marker`` if cut)."""
    redacted = redact_text(text if isinstance(text, str) else str(text))
    if len(redacted) <= limit:
        return redacted
    keep = max(0, limit - len(marker))
    return redacted[:keep] + marker[: limit - keep]


def clip_start(text: object, limit: int) -> str:
    """``text`` redacted, then only its last ``limit`` characters (the end of a stack trace)."""
    redacted = redact_text(text if isinstance(text, str) else str(text))
    return redacted[-limit:] if len(redacted) > limit else redacted


def one_line(text: object, limit: int | None = None) -> str:
    """``text`` redacted, then every whitespace run (line breaks too) made one space; cut to
    ``limit`` characters if given (no marker: callers store it as a field)."""
    flat = collapse_whitespace(redact_text(text if isinstance(text, str) else str(text)))
    return flat if limit is None else flat[:limit]


def first_line(text: object, limit: int | None = None) -> str:
    """The first non-blank line of ``text``, redacted (``""`` if none), cut to ``limit`` chars."""
    redacted = redact_text(text if isinstance(text, str) else str(text))
    line = next((ln.strip() for ln in redacted.splitlines() if ln.strip()), "")
    return line if limit is None else line[:limit]
