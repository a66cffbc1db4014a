"""``odibi story list | show | open``: read the run reports a project's runs left behind.

These commands read only the project's ``reports:`` section, so they work when the project's
secrets are not set (on a laptop looking at a server's reports folder, say).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import typer

from odibi_core.cli.context import PROJECT_ARG, echo, echo_json

if TYPE_CHECKING:
    from odibi_core.reports.model import RunReport
    from odibi_core.reports.store import ReportEntry, ReportStore

RUN_ID_ARG = typer.Argument(
    None, metavar="RUN_ID", help="Run id, a unique prefix of one, or `latest` (the default)."
)
PROJECT_OPT = typer.Option(
    None,
    "--project",
    "-P",
    metavar="PROJECT",
    help="Project file, or a folder holding odibi.yaml (default: the nearest "
    "odibi.yaml in this folder or a parent folder).",
)
PROJECT_POSITIONAL = typer.Argument(
    None,
    hidden=True,
    metavar="PROJECT",
    help="Project (same as --project; kept for earlier scripts).",
)
ENV_OPT = typer.Option(
    None,
    "--env",
    "-e",
    metavar="NAME",
    help="Overlay environments.NAME (its reports: section, if any).",
)


def register(app: typer.Typer) -> None:
    """Add the ``story`` group to ``app``."""
    group = typer.Typer(help="Read the report (story) of past runs.", no_args_is_help=True)
    group.command("list")(list_stories)
    group.command("show")(show_story)
    group.command("open")(open_story)
    app.add_typer(group, name="story")


def _store(project: str | None, env: str | None) -> ReportStore:
    from odibi_core.config.loader import read_project_source
    from odibi_core.reports.location import project_report_store

    return project_report_store(read_project_source(project, environment=env))


def list_stories(
    project: str | None = PROJECT_ARG,
    pipeline: str | None = typer.Option(
        None, "--pipeline", "-p", metavar="NAME", help="Only this pipeline's runs."
    ),
    limit: int = typer.Option(20, "--limit", "-n", min=1, metavar="N", help="Newest runs shown."),
    env: str | None = ENV_OPT,
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """List stored run reports, newest first."""
    store = _store(project, env)
    entries = list(reversed(store.entries(pipeline)))[:limit]
    rows = [_summary(entry) for entry in entries]
    if as_json:
        echo_json(rows)
        return
    if not rows:
        echo(f"no run reports in {store.root}")
        return
    echo(
        f"{'RUN ID':<27} {'PIPELINE':<20} {'STATUS':<10} {'STARTED':<20} {'DURATION':>9}  "
        "NODES  FAILED"
    )
    for row in rows:
        started = (row["started_at"] or "")[:19].replace("T", " ")
        duration = (
            f"{row['duration_s']:.2f}s" if isinstance(row["duration_s"], (int, float)) else "?"
        )
        failed = ", ".join(row["failed_nodes"]) or "-"
        echo(
            f"{row['run_id']:<27} {row['pipeline']:<20} {row['status']:<10} {started:<20} "
            f"{duration:>9}  "
            f"{row['nodes']!s:>5}  {failed}"
        )


def _summary(entry: ReportEntry) -> dict[str, Any]:
    from odibi_core.reports.store import ReportError

    row: dict[str, Any] = {
        "run_id": entry.run_id,
        "pipeline": entry.pipeline,
        "status": "unreadable",
        "started_at": entry.created.isoformat(),
        "duration_s": None,
        "nodes": None,
        "failed_nodes": [],
        "json": str(entry.json_path),
        "html": str(entry.html_path),
    }
    try:
        data = entry.load()
    except ReportError:
        return row
    totals = data.get("totals")
    totals = totals if isinstance(totals, dict) else {}
    row.update(
        status=data.get("status", "?"),
        started_at=data.get("started_at"),
        duration_s=data.get("duration_s"),
        nodes=totals.get("nodes"),
        failed_nodes=list(totals.get("failed_nodes") or []),
    )
    return row


def _entry(
    command: str, run_id: str | None, project: str | None, positional: str | None, env: str | None
) -> ReportEntry:
    """The report ``run_id`` (default: the latest) of the project given by option or position."""
    from odibi_core.errors import UsageError
    from odibi_core.reports.store import LATEST

    if project is not None and positional is not None:
        raise UsageError("the project is given twice: pass it once, with --project")
    project = project if project is not None else positional
    if run_id is not None and _looks_like_a_path(run_id):
        raise UsageError(
            f"{run_id!r} is a project path, not a run id",
            hint=f"`odibi story {command} --project {run_id}` for its latest run, "
            f"`odibi story {command} RUN_ID --project {run_id}` for another one.",
        )
    return _store(project, env).find(run_id or LATEST)


def _looks_like_a_path(value: str) -> bool:
    """Run ids are ``YYYYmmddTHHMMSSZ-xxxxxxxx`` (or prefixes, or ``latest``): never a path."""
    import os
    from pathlib import Path

    return (
        "/" in value
        or os.sep in value
        or value.endswith((".yaml", ".yml"))
        or value in (".", "..")
        or Path(value).exists()
    )


def show_story(
    run_id: str | None = RUN_ID_ARG,
    positional: str | None = PROJECT_POSITIONAL,
    project: str | None = PROJECT_OPT,
    env: str | None = ENV_OPT,
    as_json: bool = typer.Option(False, "--json", help="Print the whole JSON report."),
) -> None:
    """Summarise a run (the latest by default) in the terminal: nodes, rows, failures,
    validations, schema changes."""
    from odibi_core.reports.model import RunReport

    entry = _entry("show", run_id, project, positional, env)
    data = entry.load()
    if as_json:
        echo_json(data)
        return
    report = RunReport.model_validate(data)
    for line in _story_lines(report):
        echo(line)
    echo(f"html: {entry.html_path}")


def _story_lines(r: RunReport) -> list[str]:
    t = r.totals
    lines = [
        f"pipeline {r.pipeline} run {r.run_id}: {r.status} in {r.duration_s:.2f}s",
        f"  project {r.project}, engine {r.engine}, by {r.who.user}@{r.who.host}, started "
        f"{r.started_at}" + (f", environment {r.environment}" if r.environment else ""),
        f"  {t.nodes} node(s): {t.success} succeeded, {t.failed} failed, {t.skipped} skipped, "
        f"{t.unchanged} unchanged"
        + (f", {t.interrupted} interrupted" if t.interrupted else "")
        + f"; {t.rows_written:,} row(s) written",
        "",
    ]
    width = max((len(n.name) for n in r.nodes), default=4)
    lines.append(
        f"  {'NODE':<{width}}  {'STATUS':<9} {'SECONDS':>8} {'ROWS IN':>11} {'ROWS OUT':>11} "
        " OUTPUT"
    )
    for n in r.nodes:
        rows_in = "-" if n.rows_in is None else f"{n.rows_in:,}"
        rows_out = "-" if n.rows_out is None else f"{n.rows_out:,}"
        lines.append(
            f"  {n.name:<{width}}  {n.status:<9} {n.duration_s:>8.2f} {rows_in:>11} "
            f"{rows_out:>11}  "
            f"{n.output or ''}".rstrip()
        )
    for n in r.nodes:
        details = []
        if n.error:
            details.append("error: " + n.error.message.replace("\n", "\n      "))
            if n.error.sql:
                details.append("  " + n.error.sql.replace("\n", "\n      "))
            if n.error.hint:
                details.append(f"hint: {n.error.hint}")
        if n.skipped_reason and n.status in ("skipped", "interrupted"):
            details.append(f"{n.status}: {n.skipped_reason}")
        details += [f"validation {v.rule}: {v.detail}" for v in n.validations if not v.passed]
        if n.columns_added or n.columns_removed:
            added = ", ".join(n.columns_added) or "none"
            removed = ", ".join(n.columns_removed) or "none"
            details.append(f"columns added: {added}; removed: {removed}")
        if details:
            lines.append("")
            lines.append(f"  {n.name}:")
            lines += [f"    {d}" for d in details]
    return lines


def open_story(
    run_id: str | None = RUN_ID_ARG,
    positional: str | None = PROJECT_POSITIONAL,
    project: str | None = PROJECT_OPT,
    env: str | None = ENV_OPT,
) -> None:
    """Open a run's HTML report (the latest by default) in a graphical web browser; print its
    path when there is no display or no such browser (a text browser is never used)."""
    from odibi_core.cli.browser import open_in_browser

    entry = _entry("open", run_id, project, positional, env)
    path = entry.html_path.resolve()
    if not path.exists():
        from odibi_core.reports.store import ReportError

        raise ReportError(f"the HTML report of run {entry.run_id} is missing: {path}")
    why_not = open_in_browser(path.as_uri())
    if why_not is None:
        echo(f"opened {path}")
    else:
        echo(f"{why_not}; the report is at {path}")
