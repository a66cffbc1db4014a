"""Exception text, redacted: what logs, ``--debug`` and the process hooks print."""

from __future__ import annotations

from odibi_core.redaction.registry import REDACTION_FAILED, redact_text


def format_exception_chain(exc: BaseException) -> str:
    """The traceback of ``exc`` with chained causes (``from``, during handling), redacted.

    Frames of the hook machinery (pluggy, click, Odibi's dispatch) are folded into one line each
    unless full tracebacks were asked for (``--debug=full``, see ``odibi_core.tracebacks``).
    """
    try:
        from odibi_core.tracebacks import format_traceback

        return redact_text(format_traceback(exc))
    except Exception:
        return REDACTION_FAILED
