"""The text a secret is replaced with: ``[REDACTED]`` unless configured otherwise.

One mask serves every output of the process (logs, errors, state, reports, telemetry). It comes
from, in order of precedence:

1. the environment variable ``ODIBI_REDACTION_MASK`` (read when this module is imported, and
   checked again by the ``odibi`` command, which refuses an invalid value);
2. ``secrets.mask`` in the project file (applied when the project is loaded);
3. :data:`DEFAULT_MASK`.

A mask is 1 to :data:`MAX_MASK_LENGTH` printable characters without quotes, backslashes, ``<``,
``>``, ``&`` or backticks, so inserting it never breaks JSON, HTML, SQL or Markdown around it.
"""

from __future__ import annotations

import contextlib
import os
import threading

DEFAULT_MASK = "[REDACTED]"
"""What a secret is replaced with unless configured otherwise."""

MASK_ENV = "ODIBI_REDACTION_MASK"
"""Environment variable that sets the mask for the whole process (it wins over the project file)."""

MAX_MASK_LENGTH = 64
"""Longest mask accepted."""

_FORBIDDEN = frozenset("\"'\\<>&`")

_lock = threading.Lock()
_current = DEFAULT_MASK


def mask_problem(text: object) -> str | None:
    """Why ``text`` cannot be a mask, or ``None`` if it can."""
    if not isinstance(text, str):
        return "must be a string"
    if not text.strip():
        return "must not be empty"
    if len(text) > MAX_MASK_LENGTH:
        return f"must be at most {MAX_MASK_LENGTH} characters"
    if any(not ch.isprintable() for ch in text):
        return "must be printable characters on one line"
    bad = sorted({ch for ch in text if ch in _FORBIDDEN})
    if bad:
        return "must not contain " + " ".join(bad) + " (they would break JSON, HTML or SQL output)"
    return None


def current_mask() -> str:
    """The mask in force now."""
    return _current


def environment_mask() -> str | None:
    """The mask ``ODIBI_REDACTION_MASK`` asks for (``None`` if unset or empty).

    Raises:
        ValueError: The variable is set to something that cannot be a mask (the message names
            the variable and the rule).
    """
    value = os.environ.get(MASK_ENV)
    if not value:
        return None
    problem = mask_problem(value)
    if problem is not None:
        raise ValueError(f"{MASK_ENV}: the redaction mask {problem}")
    return value


def apply_mask(project_mask: str | None = None) -> str:
    """Set the process-wide mask: ``ODIBI_REDACTION_MASK``, else ``project_mask``, else the default.

    Returns the mask now in force.

    Raises:
        ValueError: The environment variable or ``project_mask`` is not a valid mask.
    """
    global _current
    chosen = environment_mask() or project_mask or DEFAULT_MASK
    problem = mask_problem(chosen)
    if problem is not None:
        raise ValueError(f"the redaction mask {problem}")
    with _lock:
        _current = chosen
    return chosen


with contextlib.suppress(ValueError):  # reported by the CLI, which checks the variable again
    apply_mask()
