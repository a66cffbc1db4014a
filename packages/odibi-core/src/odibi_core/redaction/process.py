"""Process-wide safety nets the ``odibi`` command installs before anything runs.

* ``sys.stdout`` / ``sys.stderr`` become :class:`RedactingStream` wrappers, so a ``print()`` in a
  Python step, a library writing to ``sys.stderr`` or any other text output of the process is
  redacted line by line before it reaches the terminal or a log collector.
* Uncaught exceptions of threads, of the main thread and "exception ignored" reports print a
  redacted traceback (Python's default hooks would print the raw one).

Odibi's own log handler writes to the unwrapped stream (:func:`unwrapped`): its records are
already redacted, and redacting an encoded JSON line a second time could split an escape.
"""

from __future__ import annotations

import atexit
import io
import sys
import threading
from types import TracebackType
from typing import IO, Any

from odibi_core.redaction.exceptions import format_exception_chain
from odibi_core.redaction.registry import REDACTION_FAILED, get_registry, redact_text

_MAX_PENDING = 64 * 1024


class RedactingStream(io.TextIOBase):
    """A text stream that redacts complete lines before passing them to ``target``.

    A line ends at ``\\n`` or ``\\r`` (so progress output still moves). Text after the last line
    end is held - even across :meth:`flush` - until its line completes, it grows past 64 KiB, or
    :meth:`finish` runs at exit, so a secret printed in pieces (``print(a, end="", flush=True)``,
    ``print(b)``) is still masked. So is the beginning of a secret with a line break inside
    (:meth:`~odibi_core.redaction.registry.RedactionRegistry.held_suffix`): ``print(secret)``
    writes the secret and its newline separately, and redacting each line alone would pass both
    halves of a short secret.
    """

    def __init__(self, target: IO[str]) -> None:
        super().__init__()
        self.target = target
        self._pending = ""
        self._finished = False
        self._lock = threading.RLock()

    def write(self, text: str) -> int:
        """Queue ``text``; pass on every completed line, redacted."""
        with self._lock:
            data = self._pending + text
            cut = max(data.rfind("\n"), data.rfind("\r")) + 1
            if cut:
                # the start of a secret with a line break inside waits for the rest of it
                cut -= get_registry().held_suffix(data[:cut])
            if cut:
                self.target.write(redact_text(data[:cut]))
            self._pending = data[cut:]
            if len(self._pending) > _MAX_PENDING or (self._finished and self._pending):
                self._emit_pending()
        return len(text)

    def _emit_pending(self) -> None:
        if self._pending:
            self.target.write(redact_text(self._pending))
            self._pending = ""

    def flush(self) -> None:
        """Flush the target (an incomplete line stays held, see the class docstring)."""
        with self._lock:
            if self._finished:
                self._emit_pending()
        self.target.flush()

    def finish(self) -> None:
        """Pass on the held text (redacted); from now on nothing is held. Runs at exit."""
        with self._lock:
            self._finished = True
            self._emit_pending()
        self.target.flush()

    def writable(self) -> bool:
        """Always ``True``."""
        return True

    def isatty(self) -> bool:
        """Whether the target is a terminal."""
        return bool(getattr(self.target, "isatty", lambda: False)())

    def fileno(self) -> int:
        """The target's file descriptor (writes to it bypass redaction)."""
        return self.target.fileno()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        """The target's encoding."""
        return str(getattr(self.target, "encoding", None) or "utf-8")

    @property
    def errors(self) -> str | None:  # type: ignore[override]
        """The target's error handler."""
        return getattr(self.target, "errors", None)

    @property
    def buffer(self) -> Any:
        """The target's binary buffer (bytes written there bypass redaction)."""
        return self.target.buffer  # type: ignore[attr-defined]


def unwrapped(stream: IO[str]) -> IO[str]:
    """The stream under a :class:`RedactingStream` (or ``stream`` itself)."""
    return stream.target if isinstance(stream, RedactingStream) else stream


def _format(exc: BaseException | None) -> str:
    if exc is None:
        return ""
    return format_exception_chain(exc)


def _thread_hook(args: threading.ExceptHookArgs) -> None:
    if args.exc_type is SystemExit:
        return
    name = args.thread.name if args.thread is not None else "?"
    sys.stderr.write(f"Exception in thread {name}:\n{_format(args.exc_value)}")


def _except_hook(
    exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
) -> None:
    sys.stderr.write(_format(exc))


def _unraisable_hook(unraisable: Any) -> None:
    try:
        where = redact_text(
            f"{unraisable.err_msg or 'Exception ignored in'}: {unraisable.object!r}"
        )
    except Exception:
        where = REDACTION_FAILED
    sys.stderr.write(f"{where}\n{_format(unraisable.exc_value)}")


def install_process_redaction() -> None:
    """Wrap ``sys.stdout`` / ``sys.stderr`` and install redacting exception hooks (idempotent)."""
    if not isinstance(sys.stdout, RedactingStream) and sys.stdout is not None:
        sys.stdout = RedactingStream(sys.stdout)
        atexit.register(sys.stdout.finish)
    if not isinstance(sys.stderr, RedactingStream) and sys.stderr is not None:
        sys.stderr = RedactingStream(sys.stderr)
        atexit.register(sys.stderr.finish)
    threading.excepthook = _thread_hook
    sys.excepthook = _except_hook
    sys.unraisablehook = _unraisable_hook
