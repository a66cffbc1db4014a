"""Exception text, redacted: what logs, ``--debug`` and the process hooks print."""

from __future__ import annotations

import traceback

from odibi_core.redaction.registry import REDACTION_FAILED, redact_text


def format_exception_chain(exc: BaseException) -> str:
    """The full traceback of ``exc`` with chained causes (``from``, during handling), redacted."""
    try:
        text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        return redact_text(text)
    except Exception:
        return REDACTION_FAILED
