"""Logging: a redaction filter on every handler, text and JSON formats, run context fields.

:func:`configure_logging` installs Odibi's console handler on the root logger (so plugin, driver
and ``warnings`` records are covered too) with a :class:`RedactingFilter` attached to the
*handler*: a filter on a logger would not see records propagated from child loggers. The filter
redacts each record once, in place - message, ``%`` args, ``extra`` fields, exception text with
its chained causes, stack info - so every formatter and any later handler see only redacted text.
The formatters apply the filter themselves if handed a record that skipped it.

Text lines look like ``10:42:07 INFO    [daily_sales/orders] node orders succeeded ...``; JSON lines
are objects with ``timestamp``, ``level``, ``logger``, ``message``, ``run_id``, ``pipeline``,
``node``, any ``extra`` fields, and ``exception`` / ``stack`` when present.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import logging
import os
import sys
import time
from collections.abc import Iterator
from datetime import datetime, timezone
from typing import IO, Any

from odibi_core.redaction import REDACTION_FAILED, redact_text, redact_value
from odibi_core.redaction.exceptions import format_exception_chain
from odibi_core.redaction.mask import current_mask
from odibi_core.redaction.patterns import is_secret_value_for_key

LOG_CONTEXT: contextvars.ContextVar[dict[str, str]] = contextvars.ContextVar("odibi_log_context")
"""``run_id``, ``pipeline`` and ``node`` of the code running now (copied into worker threads)."""

CONTEXT_FIELDS = ("run_id", "pipeline", "node")
"""Fields every JSON line carries (``null`` outside a run)."""

_STANDARD_ATTRS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
}
_PLAIN_RECORD_SIZE = len(vars(logging.LogRecord("", 0, "", 0, "", None, None)))
_REDACTED = "_odibi_redacted"


@contextlib.contextmanager
def bind_log_context(**fields: str) -> Iterator[None]:
    """Add ``fields`` to every log record emitted inside the block (this thread/context)."""
    token = LOG_CONTEXT.set({**LOG_CONTEXT.get({}), **fields})
    try:
        yield
    finally:
        LOG_CONTEXT.reset(token)


def _redact_extra(key: str, value: Any) -> Any:
    if is_secret_value_for_key(key, value):
        return current_mask()
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, (dict, list, tuple, set, frozenset)):
        return redact_value(value)
    return redact_text(repr(value))  # an object's repr may hold anything


class RedactingFilter(logging.Filter):
    """Redacts a record in place; never drops it. Idempotent (a record is redacted once).

    The message is rendered once (``msg % args``), redacted and stored back with ``args``
    cleared; ``extra`` fields are redacted (masked whole under sensitive names); the exception is
    rendered with its chained causes, redacted into ``exc_text``, and ``exc_info`` is dropped so
    no later formatter can render it raw; ``stack_info`` is redacted. If any of this fails the
    message becomes ``<redaction failed>`` and the exception is dropped.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact ``record`` and add the run context fields; always ``True``."""
        if getattr(record, _REDACTED, False):
            return True
        try:
            _redact_record(record)
        except Exception:
            record.msg, record.args, record.exc_info, record.exc_text = (
                REDACTION_FAILED,
                None,
                None,
                None,
            )
            record.stack_info = None
        for key, value in LOG_CONTEXT.get({}).items():
            if not hasattr(record, key):
                setattr(record, key, value)
        setattr(record, _REDACTED, True)
        return True


def _redact_record(record: logging.LogRecord) -> None:
    try:
        message = record.getMessage()
    except Exception:  # bad % arguments: show the template, never the arguments
        message = f"{record.msg} <log arguments could not be formatted>"
    record.msg = redact_text(message)
    record.args = None
    attrs = record.__dict__
    if len(attrs) > _PLAIN_RECORD_SIZE:  # something beyond the standard attributes: extras
        for key in attrs.keys() - _STANDARD_ATTRS:
            if not key.startswith("_"):
                attrs[key] = _redact_extra(key, attrs[key])
    if record.exc_info:
        exc = record.exc_info[1]
        if exc is not None and not record.exc_text:
            record.exc_text = format_exception_chain(exc).rstrip("\n")
        record.exc_info = None
    if record.exc_text:
        record.exc_text = redact_text(record.exc_text)
    if record.stack_info:
        record.stack_info = redact_text(record.stack_info)


_FILTER = RedactingFilter()


def _ensure_redacted(record: logging.LogRecord) -> None:
    if not getattr(record, _REDACTED, False):
        _FILTER.filter(record)


class TextFormatter(logging.Formatter):
    """``HH:MM:SS LEVEL   [pipeline/node] message``, then the exception and stack, if any
    (``dated``: ``YYYY-MM-DD HH:MM:SS``, for log files)."""

    def __init__(self, *, dated: bool = False) -> None:
        super().__init__("%(asctime)s %(levelname)-7s %(message)s", "%H:%M:%S")
        self._clock = (-1, "")
        self._stamp = "%Y-%m-%d %H:%M:%S" if dated else "%H:%M:%S"

    def format(self, record: logging.LogRecord) -> str:
        """Render a (redacted) record."""
        _ensure_redacted(record)
        pipeline, node = getattr(record, "pipeline", None), getattr(record, "node", None)
        where = "/".join(str(part) for part in (pipeline, node) if part)
        second = int(record.created)
        cached_second, stamp = self._clock
        if second != cached_second:
            stamp = time.strftime(self._stamp, time.localtime(second))
            self._clock = (second, stamp)  # one tuple: threads never see a torn pair
        text = f"{stamp} {record.levelname:<7} {'[' + where + '] ' if where else ''}{record.msg}"
        if record.exc_text:
            text += "\n" + record.exc_text
        if record.stack_info:
            text += "\n" + record.stack_info
        return text


class JsonFormatter(logging.Formatter):
    """One JSON object per line: timestamp, level, logger, message, run_id, pipeline, node,
    extras."""

    def format(self, record: logging.LogRecord) -> str:
        """Serialise a (redacted) record. Values are redacted before encoding, so a mask can never
        split a JSON escape sequence."""
        _ensure_redacted(record)
        payload: dict[str, Any] = {
            "timestamp": datetime.fromtimestamp(record.created, timezone.utc).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.msg if isinstance(record.msg, str) else redact_text(str(record.msg)),
        }
        for key in CONTEXT_FIELDS:
            payload[key] = getattr(record, key, None)
        for key, value in vars(record).items():
            if key not in _STANDARD_ATTRS and key not in payload and not key.startswith("_"):
                payload[key] = value
        if record.exc_text:
            payload["exception"] = record.exc_text
        if record.stack_info:
            payload["stack"] = record.stack_info
        return json.dumps(payload, default=_json_default, ensure_ascii=False)


class _CurrentStderrHandler(logging.StreamHandler):
    """Writes to whatever ``sys.stderr`` is now (so a live progress display can capture it)."""

    @property
    def stream(self) -> IO[str]:
        from odibi_core.redaction.process import unwrapped

        # records are redacted by the filter; a redacting stream under them would only redo the work
        return unwrapped(sys.stderr)

    @stream.setter
    def stream(self, value: IO[str]) -> None:
        pass


def _file_handler(path: str | os.PathLike[str], fmt: str) -> logging.Handler:
    """An appending, redacting handler for ``logging.file`` (its folder is created)."""
    from pathlib import Path

    Path(path).parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(path, mode="a", encoding="utf-8", delay=True)
    handler.addFilter(RedactingFilter())
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter(dated=True))
    handler._odibi = True  # type: ignore[attr-defined]
    return handler


def _json_default(value: Any) -> str:
    return redact_text(str(value))


HOOK_LOGGER = "odibi.hooks"
"""Logger of pluggy's hook-call trace: at DEBUG only when asked for (``--debug=hooks`` or
``ODIBI_TRACE_HOOKS=1``), never as a side effect of ``--debug`` or ``--log-level DEBUG``."""

ENV_TRACE_HOOKS = "ODIBI_TRACE_HOOKS"


def configure_logging(
    level: str = "INFO",
    fmt: str = "text",
    stream: IO[str] | None = None,
    *,
    console_level: str | None = None,
    trace_hooks: bool = False,
    file: str | os.PathLike[str] | None = None,
) -> logging.Handler:
    """Install Odibi's console handler (redaction filter first) on the root logger.

    Replaces a handler installed by an earlier call, so calling it twice never doubles lines.

    Args:
        level: Level of the ``odibi`` loggers (other loggers show WARNING and above).
        fmt: ``"text"`` or ``"json"``.
        stream: Where to write (default: whatever ``sys.stderr`` is when a record is written).
        console_level: The lowest level the console handler writes, if higher than ``level``
            (on a terminal the summary replaces INFO lines: see ``odibi_core.cli.context``).
        trace_hooks: Log pluggy's hook-call trace at DEBUG (also ``ODIBI_TRACE_HOOKS=1``).
        file: Also append every line at ``level`` to this file (same format, same redaction).
    """
    handler: logging.Handler = (
        logging.StreamHandler(stream) if stream is not None else _CurrentStderrHandler()
    )
    handler.addFilter(RedactingFilter())
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    if console_level is not None:
        handler.setLevel(console_level.upper())
    root = logging.getLogger()
    for old in list(root.handlers):
        if getattr(old, "_odibi", False):
            root.removeHandler(old)
            if isinstance(old, logging.FileHandler):
                old.close()
    handler._odibi = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    if file is not None:
        root.addHandler(_file_handler(file, fmt))
    root.setLevel(logging.WARNING)
    logging.getLogger("odibi").setLevel(level.upper())
    tracing = trace_hooks or os.environ.get(ENV_TRACE_HOOKS, "").strip().lower() in (
        "1",
        "true",
        "yes",
    )
    logging.getLogger(HOOK_LOGGER).setLevel(logging.DEBUG if tracing else logging.INFO)
    logging.captureWarnings(True)
    return handler
