"""Exception events built by hand, through the redaction registry.

The SDK's ``Span.record_exception`` copies ``str(exc)`` and the raw traceback into the span: a
connection string or a password in a driver's error message would leave the process in clear
text. odibi-otel never calls it (spans are started without ``record_exception``) and adds the
``exception`` event itself, with every text passed through :mod:`odibi_core.redaction`.
"""

from __future__ import annotations

import traceback

from odibi_core.plugin import redact_text
from odibi_core.redaction import REDACTION_FAILED
from odibi_core.redaction.shorten import one_line

MAX_MESSAGE_CHARS = 2000
MAX_STACKTRACE_CHARS = 16000


def redacted(text: str) -> str:
    """``text`` with every registered secret and credential pattern masked."""
    return redact_text(text)


def exception_event_attributes(exc: BaseException, error_type: str) -> dict[str, str]:
    """Semantic-convention attributes of an ``exception`` event, redacted.

    Args:
        exc: The exception that escaped the node or run (its ``__cause__`` chain is included in
            the stack trace).
        error_type: The class name reported as ``error.type`` (for a wrapped failure, the class of
            the original error rather than the wrapper's).
    """
    message = getattr(exc, "message", None) or str(exc) or error_type
    return {
        "exception.type": error_type,
        "exception.message": one_line(message, limit=MAX_MESSAGE_CHARS),
        "exception.stacktrace": _stacktrace(exc)[-MAX_STACKTRACE_CHARS:],
    }


def _stacktrace(exc: BaseException) -> str:
    try:
        text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        return redact_text(text)
    except Exception:
        return REDACTION_FAILED
