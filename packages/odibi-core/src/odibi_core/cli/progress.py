"""Live progress for ``odibi run`` on a terminal, built as an ordinary lifecycle plugin.

Registered by the CLI only when stderr is a terminal (never in CI logs or pipes). It wraps
``odibi_run_pipeline`` and ``odibi_run_node``, which is exactly how a third-party plugin would
observe a run.
"""

from __future__ import annotations

import threading
from collections.abc import Generator
from typing import Any

from odibi_core.plugins.hookspecs import hookimpl


class ProgressPlugin:
    """Draws one progress bar per pipeline run with the nodes currently running."""

    def __init__(self, console: Any = None) -> None:
        from rich.console import Console

        self.console = console or Console(stderr=True)
        self._lock = threading.Lock()
        self._running: list[str] = []
        self._progress: Any = None
        self._task: Any = None

    def _describe(self) -> str:
        return ("running: " + ", ".join(self._running)) if self._running else ""

    @hookimpl(wrapper=True)
    def odibi_run_pipeline(self, context: Any) -> Generator[None, Any, Any]:
        """Show a bar for the run; remove it when the run ends."""
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        self._progress = Progress(
            TextColumn(f"[bold]{context.pipeline.pipeline}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("{task.description}"),
            console=self.console,
            transient=True,
        )
        self._task = self._progress.add_task("", total=len(context.nodes))
        self._progress.start()
        try:
            return (yield)
        finally:
            self._progress.stop()
            self._progress = None

    @hookimpl(wrapper=True)
    def odibi_run_node(self, context: Any) -> Generator[None, Any, Any]:
        """Mark the node as running, then as done."""
        name = context.node.name
        with self._lock:
            self._running.append(name)
            if self._progress is not None:
                self._progress.update(self._task, description=self._describe())
        try:
            return (yield)
        finally:
            with self._lock:
                self._running.remove(name)
                if self._progress is not None:
                    self._progress.update(self._task, advance=1, description=self._describe())
