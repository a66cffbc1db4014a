"""Stopping a run cleanly: one flag the runner and its nodes look at, and the cancellation of
running work (engine queries, connection reads and writes) when it is raised.

The flag is raised by a signal handler (see :mod:`odibi_core.execution.interrupts`) or by a
caller embedding the runner. Raising it returns at once: interrupting the engine and connections
happens on a helper thread (a PostgreSQL cancel is a network round trip), and a signal handler
must not block. The runner then starts no new node, the running nodes fail fast and are recorded
as ``interrupted``, their writes leave the previous output (a cancelled write is a failed write),
and the run is recorded, reported and summarised before the process exits 130 or 143.
"""

from __future__ import annotations

import logging
import signal
import sys
import threading
from typing import Protocol

from odibi_core.errors import RunInterrupted, RunTerminated

logger = logging.getLogger("odibi.run")


class Interruptible(Protocol):
    """Anything with an ``interrupt()`` that cancels its running work (engines, connections)."""

    def interrupt(self) -> None:
        """Cancel running work; must not block for long."""


def signal_label(signal_number: int | None) -> str:
    """``SIGINT (Ctrl-C)``, ``SIGTERM`` or ``a caller``, for messages."""
    if signal_number == signal.SIGINT:
        return "SIGINT (Ctrl-C)"
    if signal_number == signal.SIGTERM:
        return "SIGTERM"
    return "a caller" if signal_number is None else signal.Signals(signal_number).name


class RunCancellation:
    """The cancellation flag of one ``odibi run`` (shared by every pipeline it runs).

    Attributes:
        signal_number: The signal that raised the flag (``None``: raised by a caller).
        armed: ``True`` while nodes execute: a signal then stops the run cleanly; before and after,
            it interrupts the process the ordinary way.
    """

    def __init__(self, *, announce: bool = True) -> None:
        self._event = threading.Event()
        self._lock = threading.Lock()
        self._targets: list[Interruptible] = []
        self._announce = announce
        self.signal_number: int | None = None
        self.armed = False

    @property
    def cancelled(self) -> bool:
        """Whether the run was asked to stop."""
        return self._event.is_set()

    def cancel(self, signal_number: int | None = None) -> bool:
        """Raise the flag and start cancelling running work; ``False`` if it was raised already."""
        with self._lock:
            if self._event.is_set():
                return False
            self.signal_number = signal_number
            self._event.set()
            targets = list(self._targets)
        threading.Thread(
            target=self._interrupt_all, args=(targets, True), name="odibi-cancel", daemon=True
        ).start()
        return True

    def register(self, target: Interruptible) -> None:
        """Cancel ``target``'s work when the flag is raised (at once if it is raised already)."""
        with self._lock:
            self._targets.append(target)
            late = self._event.is_set()
        if late:
            self._interrupt_all([target], False)

    def unregister(self, target: Interruptible) -> None:
        """Forget ``target`` (it was closed)."""
        with self._lock:
            self._targets = [t for t in self._targets if t is not target]

    def _interrupt_all(self, targets: list[Interruptible], announce: bool) -> None:
        if announce and self._announce:
            sys.stderr.write(
                f"\ninterrupted by {signal_label(self.signal_number)}: stopping the running nodes "
                "(their outputs stay as they were); press Ctrl-C again to exit at once\n"
            )
            sys.stderr.flush()
        for target in targets:
            try:
                target.interrupt()
            except Exception as exc:  # one stubborn target must not keep the others running
                logger.warning("could not cancel %s: %s", type(target).__name__, exc)

    def check(self) -> None:
        """Raise :meth:`error` if the run was asked to stop (between the parts of a node)."""
        if self._event.is_set():
            raise self.error()

    def wait(self, seconds: float) -> bool:
        """Sleep up to ``seconds``; ``True`` (at once) when the flag is raised meanwhile."""
        return self._event.wait(seconds)

    def error(self) -> RunInterrupted:
        """The error that ends an interrupted ``odibi run`` (exit 130, or 143 for SIGTERM)."""
        cls = RunTerminated if self.signal_number == signal.SIGTERM else RunInterrupted
        return cls(f"run interrupted by {signal_label(self.signal_number)}")
