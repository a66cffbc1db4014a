"""Tracebacks for people: the frames of the hook machinery folded away unless asked for.

An error raised in a node passes through pluggy's hook calls, Typer/click's command dispatch and
Odibi's own hook facade before it reaches the CLI: a dozen frames that say nothing about the
error. :func:`format_traceback` keeps the frames of the code that failed (the user's step, the
engine, the connection) and replaces each run of dispatch frames by one line saying how many
were hidden. ``odibi --debug=full`` (or :func:`set_full_tracebacks`) keeps every frame::

    Traceback (most recent call last):
      [4 frames of click, odibi_core.cli hidden: --debug=full shows them]
      File ".../odibi_core/execution/node.py", line 139, in execute_node
        frame = _step(inputs, step, frame, result)
      [9 frames of pluggy, odibi_core.plugins hidden: --debug=full shows them]
      ...

The text is not redacted here: its callers
(``odibi_core.redaction.exceptions.format_exception_chain``) redact it.
"""

from __future__ import annotations

import os
import traceback
from collections.abc import Iterator
from typing import Any

DISPATCH_PACKAGES: dict[str, str] = {
    f"{os.sep}pluggy{os.sep}": "pluggy",
    f"{os.sep}typer{os.sep}": "typer",
    f"{os.sep}click{os.sep}": "click",
    f"{os.sep}odibi_core{os.sep}plugins{os.sep}manager.py": "odibi_core.plugins",
    f"{os.sep}odibi_core{os.sep}cli{os.sep}main.py": "odibi_core.cli",
    f"{os.sep}odibi_core{os.sep}execution{os.sep}executor_plugin.py": "odibi_core.execution",
}
"""Path fragments of frames hidden by default, and the name shown for them."""

DISPATCH_FUNCTIONS: dict[tuple[str, str], str] = {
    (f"{os.sep}odibi_core{os.sep}execution{os.sep}runner.py", "_run_node"): "odibi_core.execution",
    (f"{os.sep}odibi_core{os.sep}execution{os.sep}runner.py", "<lambda>"): "odibi_core.execution",
}
"""``(path fragment, function)`` of single dispatch functions in modules that also do real work."""

_FULL = {"on": False}


def set_full_tracebacks(full: bool) -> None:
    """Keep every frame (``True``: ``--debug=full``) or fold the dispatch frames (the default).
    Also keeps hook-trace lines whole (:mod:`odibi_core.plugins.hook_trace`)."""
    _FULL["on"] = bool(full)


def full_tracebacks() -> bool:
    """Whether tracebacks keep every frame."""
    return _FULL["on"]


def dispatch_owner(filename: str, function: str = "") -> str | None:
    """The name of the dispatch code a frame belongs to, or ``None`` for code that matters (the
    user's, an engine's, a connection's)."""
    for fragment, owner in DISPATCH_PACKAGES.items():
        if fragment in filename:
            return owner
    for (fragment, name), owner in DISPATCH_FUNCTIONS.items():
        if name == function and fragment in filename:
            return owner
    return None


def format_traceback(exc: BaseException, *, full: bool | None = None) -> str:
    """``exc``'s traceback with its chained causes; dispatch frames folded unless ``full``
    (default: the process-wide setting of :func:`set_full_tracebacks`)."""
    keep_all = full_tracebacks() if full is None else full
    summary = traceback.TracebackException.from_exception(exc)
    if not keep_all:
        _fold(summary, seen=set())
    return "".join(summary.format())


def _fold(summary: traceback.TracebackException, seen: set[int]) -> None:
    """Fold the dispatch frames of ``summary`` and of every exception chained to it."""
    if id(summary) in seen:
        return
    seen.add(id(summary))
    summary.stack = _FoldedStack.fold(summary.stack)
    for chained in (summary.__cause__, summary.__context__):
        if chained is not None:
            _fold(chained, seen)


class _FoldedStack(traceback.StackSummary):
    """A stack whose runs of dispatch frames are one line each (see :meth:`format`)."""

    hidden: dict[int, tuple[int, list[str]]]

    @classmethod
    def fold(cls, stack: traceback.StackSummary) -> _FoldedStack:
        """The frames of ``stack`` to show, and before which of them how many were hidden."""
        folded = cls()
        folded.hidden = {}
        run: list[str] = []
        for frame in stack:
            owner = dispatch_owner(frame.filename, frame.name)
            if owner is not None:
                run.append(owner)
                continue
            if run:
                folded.hidden[len(folded)] = (len(run), run)
                run = []
            folded.append(frame)
        if run:
            folded.hidden[len(folded)] = (len(run), run)
        return folded

    def format(self, **kwargs: Any) -> list[str]:
        """Formatted frames with a ``[N frames of ... hidden]`` line where frames were folded."""
        shown = super().format(**kwargs)
        if len(shown) != len(self):  # repeated frames were merged: positions no longer match
            return list(self._with_notes(shown, positional=False))
        return list(self._with_notes(shown, positional=True))

    def _with_notes(self, shown: list[str], *, positional: bool) -> Iterator[str]:
        total = sum(count for count, _ in self.hidden.values())
        if not positional:
            if total:
                yield _note(total, [o for _, owners in self.hidden.values() for o in owners])
            yield from shown
            return
        for index, text in enumerate(shown):
            if index in self.hidden:
                yield _note(*self.hidden[index])
            yield text
        if len(self) in self.hidden:
            yield _note(*self.hidden[len(self)])


def _note(count: int, owners: list[str]) -> str:
    names = ", ".join(sorted(set(owners)))
    plural = "frame" if count == 1 else "frames"
    return f"  [{count} {plural} of {names} hidden: --debug=full shows them]\n"
