"""The cyclic garbage collector while an ``odibi`` command starts.

Starting a command builds a large, long-lived object graph (Typer, pydantic models and their
validators, plugin registrations, the project's config) and the collector would scan it again
and again while it grows: about 15 ms of a small run's CPU, dozens of collections. So the console
script (:mod:`odibi_core.cli.entry`) pauses the collector from its first line, and it resumes
once the start-up is over, after freezing what the start-up built (``gc.freeze()``: a permanent
generation the collector no longer scans): for every command but ``odibi run`` when its code
starts; for ``odibi run`` when the first pipeline's nodes are about to run
(:attr:`~odibi_core.execution.runner.RunOptions.on_work_start`), so that reading the run's state
(a pipeline's whole history: tens of thousands of objects at 50 runs of 200 nodes) and the
plugins' set-up at the first pipeline (the OpenTelemetry SDK's modules, for one) are not scanned
over and over either. Nodes always run with the collector on.

Only a pause made here is undone here: code that calls the CLI in-process (tests, a host
application) keeps its collector exactly as it had it.
"""

from __future__ import annotations

import gc

_paused = False


def pause() -> None:
    """Pause the collector until :func:`resume` (no effect if it is already off)."""
    global _paused
    if gc.isenabled():
        gc.disable()
        _paused = True


def resume() -> None:
    """Freeze what exists now and resume the collector, if :func:`pause` paused it."""
    global _paused
    if _paused:
        _paused = False
        gc.freeze()
        gc.enable()


def paused() -> bool:
    """Whether the collector is paused by :func:`pause` and not resumed yet."""
    return _paused


__all__ = ["pause", "paused", "resume"]
