"""The builtin run-report plugin: JSON and HTML reports of every run (``odibi_run_finished``).

It is registered like any other lifecycle plugin (``builtin-reports``), so another reporter
(OpenLineage events, a dashboard) can sit beside it or replace it
(``ODIBI_DISABLE_PLUGINS=builtin-reports``); the kernel runs the same without it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from odibi_core.plugins.hookspecs import hookimpl

if TYPE_CHECKING:
    from odibi_core.contracts.lifecycle import FinishedRun


@hookimpl
def odibi_run_finished(run: FinishedRun) -> str | None:
    """Write the run's JSON and HTML report (when ``reports.enabled``); return the HTML path."""
    from odibi_core.reports.writer import write_run_report

    entry = write_run_report(run)
    return str(entry.html_path) if entry is not None else None
