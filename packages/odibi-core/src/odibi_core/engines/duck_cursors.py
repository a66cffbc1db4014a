"""The DuckDB cursors of an engine, so that all its running queries can be interrupted at once.

Every statement of the duckdb and pandas engines runs on a cursor of one in-process database.
``interrupt()`` (Ctrl-C, SIGTERM) interrupts each live cursor, and from then on no new cursor is
handed out: the run is ending.
"""

from __future__ import annotations

import contextlib
import threading
import weakref
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import duckdb


class CursorPool:
    """Hands out cursors of ``connection`` and remembers them until they are garbage."""

    def __init__(self, connection: duckdb.DuckDBPyConnection) -> None:
        self._connection = connection
        self._lock = threading.Lock()
        self._cursors: weakref.WeakSet[duckdb.DuckDBPyConnection] = weakref.WeakSet()
        self.interrupted = False
        """Whether :meth:`interrupt` was called."""

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """A new cursor (its own session of the same database)."""
        with self._lock:
            cursor = self._connection.cursor()
            self._cursors.add(cursor)
            return cursor

    def interrupt(self) -> None:
        """Interrupt the running query of every cursor (thread-safe, does not block)."""
        import duckdb

        self.interrupted = True
        with self._lock:
            cursors = list(self._cursors)
        for cursor in cursors:
            with contextlib.suppress(duckdb.Error):  # closed meanwhile
                cursor.interrupt()
