"""Logging: a redaction filter on every handler, text and JSON formats, run context fields.

:func:`configure_logging` installs one handler on the ``odibi`` logger and the root logger (so
plugin and driver loggers are covered too); :class:`RedactingFilter` is attached to each handler,
not only to a logger, because filters on a logger do not see records propagated from children.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import logging
import sys
import traceback
from collections.abc import Iterator
from datetime import datetime, timezone
from typing import IO, Any

from odibi_core.redaction import REDACTION_FAILED, redact_text, redact_value

LOG_CONTEXT: contextvars.ContextVar[dict[str, str]] = contextvars.ContextVar("odibi_log_context", default={})
"""``run_id``, ``pipeline`` and ``node`` of the code running now (copied into worker threads)."""

_STANDARD_ATTRS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


@contextlib.contextmanager
def bind_log_context(**fields: str) -> Iterator[None]:
    """Add ``fields`` to every log record emitted inside the block (this thread/context)."""
    token = LOG_CONTEXT.set({**LOG_CONTEXT.get(), **fields})
    try:
        yield
    finally:
        LOG_CONTEXT.reset(token)


def format_exception_chain(exc: BaseException) -> str:
    """The full traceback of ``exc`` with chained causes, redacted."""
    try:
        text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        return redact_text(text)
    except Exception:
        return REDACTION_FAILED


class RedactingFilter(logging.Filter):
    """Redacts message, ``%`` args, ``extra`` fields, exception and stack text of each record.

    The message is rendered once (``msg % args``), redacted, and stored back with ``args`` cleared,
    so every formatter downstream sees only redacted text.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact ``record`` in place; never drops it."""
        try:
            record.msg = redact_text(record.getMessage())
            record.args = None
            for key, value in list(vars(record).items()):
                if key not in _STANDARD_ATTRS and not key.startswith("_"):
                    setattr(record, key, redact_value(value) if isinstance(value, (str, dict, list, tuple))
                            else redact_text(repr(value)) if not isinstance(value, (int, float, bool, type(None)))
                            else value)
            if record.exc_info and record.exc_info[1] is not None and not record.exc_text:
                record.exc_text = format_exception_chain(record.exc_info[1]).rstrip("\n")
            elif record.exc_text:
                record.exc_text = redact_text(record.exc_text)
            if record.stack_info:
                record.stack_info = redact_text(record.stack_info)
        except Exception:
            record.msg, record.args, record.exc_info, record.exc_text = REDACTION_FAILED, None, None, None
        for key, value in LOG_CONTEXT.get().items():
            if not hasattr(record, key):
                setattr(record, key, value)
        return True


class TextFormatter(logging.Formatter):
    """``HH:MM:SS LEVEL   [pipeline/node] message``."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)-7s %(message)s", "%H:%M:%S")

    def format(self, record: logging.LogRecord) -> str:
        """Prefix the message with the pipeline and node, if any."""
        where = "/".join(str(getattr(record, k)) for k in ("pipeline", "node") if getattr(record, k, None))
        text = super().format(record)
        if where:
            head, _, tail = text.partition(record.levelname)
            text = f"{head}{record.levelname}{tail[:8 - len(record.levelname)]}[{where}] {tail.lstrip()}"
        return redact_text(text)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: timestamp, level, logger, message, run_id, pipeline, node, extras."""

    def format(self, record: logging.LogRecord) -> str:
        """Serialise ``record`` (already redacted by the filter; redacted again as a whole)."""
        payload: dict[str, Any] = {
            "timestamp": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key in ("run_id", "pipeline", "node"):
            payload[key] = getattr(record, key, None)
        for key, value in vars(record).items():
            if key not in _STANDARD_ATTRS and key not in payload and not key.startswith("_"):
                payload[key] = value
        if record.exc_info and not record.exc_text and record.exc_info[1] is not None:
            record.exc_text = format_exception_chain(record.exc_info[1])
        if record.exc_text:
            payload["exception"] = record.exc_text
        return redact_text(json.dumps(payload, default=str, ensure_ascii=False))


class _CurrentStderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stderr`` is now (so a live progress display can capture it)."""

    @property  # type: ignore[override]
    def stream(self) -> IO[str]:
        return sys.stderr

    @stream.setter
    def stream(self, value: IO[str]) -> None:
        pass


def configure_logging(level: str = "INFO", fmt: str = "text", stream: IO[str] | None = None) -> logging.Handler:
    """Install Odibi's console handler (redaction filter first) on the root logger."""
    handler: logging.Handler = logging.StreamHandler(stream) if stream is not None else _CurrentStderrHandler()
    handler.addFilter(RedactingFilter())
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    root = logging.getLogger()
    for old in list(root.handlers):
        if getattr(old, "_odibi", False):
            root.removeHandler(old)
    handler._odibi = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(logging.WARNING)
    logging.getLogger("odibi").setLevel(level.upper())
    logging.captureWarnings(True)
    return handler
