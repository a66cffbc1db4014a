"""Signal handling of ``odibi``: Ctrl-C and SIGTERM stop a run cleanly and loudly.

* While nodes execute (the run's :class:`~odibi_core.execution.cancellation.RunCancellation` is
  armed), the first SIGINT or SIGTERM raises the cancellation flag: running work is cancelled,
  the run is recorded as ``interrupted``, the report written and the summary printed; ``odibi``
  exits 130 (SIGINT) or 143 (SIGTERM).
* A second signal exits at once (130 or 143), whatever is running.
* Outside that window (loading the project, waiting for a lock) a signal interrupts the process the
  ordinary way (``KeyboardInterrupt``, SIGTERM included), so nothing waits for a lock after Ctrl-C.

Handlers can only be installed by the main thread; elsewhere these helpers do nothing.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from collections.abc import Iterator
from types import FrameType
from typing import Any

from odibi_core.errors import ExitCode
from odibi_core.execution.cancellation import RunCancellation

HANDLED = (signal.SIGINT, signal.SIGTERM)

_last_signal: int | None = None


def last_signal() -> int | None:
    """The last SIGINT or SIGTERM this process received through these handlers (``None``: none)."""
    return _last_signal


def exit_code_for(signal_number: int | None) -> int:
    """143 after SIGTERM, else 130."""
    return int(ExitCode.TERMINATED if signal_number == signal.SIGTERM else ExitCode.INTERRUPTED)


def _note(signal_number: int) -> None:
    global _last_signal
    _last_signal = signal_number


def _as_keyboard_interrupt(signal_number: int, frame: FrameType | None) -> None:
    _note(signal_number)
    raise KeyboardInterrupt


@contextlib.contextmanager
def process_handlers() -> Iterator[None]:
    """Within the block, SIGINT and SIGTERM raise ``KeyboardInterrupt`` (remembering which one
    came), so every ``finally`` runs on either and the CLI can exit 130 or 143."""
    global _last_signal
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    _last_signal = None
    previous: dict[int, Any] = {
        number: signal.signal(number, _as_keyboard_interrupt) for number in HANDLED
    }
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


@contextlib.contextmanager
def stop_runs_cleanly(cancellation: RunCancellation) -> Iterator[RunCancellation]:
    """Within the block, signals raise ``cancellation`` while it is armed (see the module doc)."""
    if threading.current_thread() is not threading.main_thread():
        yield cancellation
        return

    def handle(signal_number: int, frame: FrameType | None) -> None:
        if cancellation.cancelled:
            os.write(2, b"\ninterrupted again: exiting now\n")
            os._exit(exit_code_for(signal_number))
        _note(signal_number)
        if not cancellation.armed:
            raise KeyboardInterrupt
        cancellation.cancel(signal_number)

    previous: dict[int, Any] = {number: signal.signal(number, handle) for number in HANDLED}
    try:
        yield cancellation
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
