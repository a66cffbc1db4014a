"""``odibi state show | history | unlock``: inspect run state and break stuck locks.

The commands open the project's configured state backend exactly as ``odibi run`` does, read
without taking any lock (a write is always a whole-document replace), and never modify the
document. A torn or foreign state document is reported (exit code 6) and left untouched.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from odibi_core.cli.context import PROJECT_ARG, echo, echo_json, load

if TYPE_CHECKING:
    from odibi_core.contracts.state import HolderInfo, RunRecord, StateBackend

ENV_OPT = typer.Option(
    None,
    "--env",
    "-e",
    metavar="NAME",
    help="Overlay environments.NAME (its state: section applies).",
)


def register(app: typer.Typer) -> None:
    """Add the ``state`` group to ``app``."""
    group = typer.Typer(help="Inspect run state and its locks.", no_args_is_help=True)
    group.command("show")(show)
    group.command("history")(history)
    group.command("unlock")(unlock)
    app.add_typer(group, name="state")


def _open(project: str | None, env: str | None) -> StateBackend:
    from odibi_core.errors import PluginError
    from odibi_core.state.session import (
        STATE_PACKAGE_HINT,
        effective_lock_timeout,
        open_state_backend,
    )

    loaded, pm = load(project, env)
    backend = open_state_backend(
        loaded, pm, run_id=None, lock_timeout=effective_lock_timeout(loaded, None)
    )
    if backend is None:
        raise PluginError(
            f"this project has no state backend; {STATE_PACKAGE_HINT}",
            hint="pip install odibi-state-local",
        )
    return backend


def display_path(location: str) -> str:
    """``location`` relative to the working directory when it lies below it (URLs as they are)."""
    if "://" in location:
        return location  # a Path would fold "//" and could make a URL look relative
    try:
        return str(Path(location).resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        return location


def show(
    project: str | None = PROJECT_ARG,
    env: str | None = ENV_OPT,
    as_json: bool = typer.Option(
        False, "--json", help="Print the whole document, location and held locks as JSON."
    ),
) -> None:
    """Show where state lives, the last run and node records of each pipeline, marks and locks."""
    backend = _open(project, env)
    try:
        from odibi_core.state.pipeline_documents import read_all

        doc = read_all(backend)
        holders = backend.holders()
    finally:
        backend.close()
    if as_json:
        echo_json(
            {
                "backend": backend.name,
                "location": backend.location,
                "document": doc.model_dump(mode="json") if doc is not None else None,
                "locks": [h.model_dump(mode="json") for h in holders],
            }
        )
        return
    echo(f"state: {backend.name} at {display_path(backend.location)}")
    if doc is None:
        echo("no runs recorded yet")
    else:
        echo(
            f"document: lineage {doc.lineage}, serial {doc.serial}, format {doc.version}, "
            "checksum verified"
        )
        for name, pipeline in sorted(doc.pipelines.items()):
            echo(f"pipeline {name}:")
            if pipeline.runs:
                echo(f"  last run: {_run_line(pipeline.runs[-1])}")
            width = max((len(n) for n in pipeline.nodes), default=4)
            for node, record in pipeline.nodes.items():
                rows = "" if record.rows_out is None else f"{record.rows_out} rows"
                if record.rows_total is not None and record.rows_total != record.rows_out:
                    rows += f" (target {record.rows_total})"
                extra = record.error or record.output or ""
                echo(
                    f"  {node:<{width}}  {record.status:<8} {rows:>12}  "
                    f"{record.finished_at or '':<29}  "
                    f"{record.fingerprint}  {extra}".rstrip()
                )
            for environment, marks in sorted(pipeline.high_water_marks.items()):
                for node, mark in sorted(marks.items()):
                    echo(
                        f"  high-water mark of {node} in environment {environment}, target "
                        f"{mark.target or '-'}: {mark.value}"
                    )
    if holders:
        echo("locks held:")
        for holder in holders:
            echo(f"  {holder.describe()}")
    else:
        echo("locks held: none")


def history(
    project: str | None = PROJECT_ARG,
    env: str | None = ENV_OPT,
    pipeline: str | None = typer.Option(
        None, "--pipeline", "-p", metavar="NAME", help="Only runs of this pipeline."
    ),
    limit: int = typer.Option(20, "--limit", "-n", min=1, metavar="N", help="Newest runs shown."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """List recorded runs, newest first: status, duration, who ran them, node outcomes."""
    from odibi_core.contracts.state import iter_pipeline_runs
    from odibi_core.errors import UsageError

    backend = _open(project, env)
    try:
        from odibi_core.state.pipeline_documents import read_all

        doc = read_all(backend)
    finally:
        backend.close()
    if doc is not None and pipeline is not None and pipeline not in doc.pipelines:
        from odibi_core.config.suggestions import did_you_mean

        raise UsageError(
            f"no runs of pipeline {pipeline!r} are recorded{did_you_mean(pipeline, doc.pipelines)}"
        )
    runs = sorted(
        iter_pipeline_runs(doc, pipeline) if doc is not None else [],
        key=lambda item: item[1].started_at,
        reverse=True,
    )[:limit]
    if as_json:
        echo_json([{"pipeline": name, **run.model_dump(mode="json")} for name, run in runs])
        return
    if not runs:
        echo(f"no runs recorded yet at {display_path(backend.location)}")
        return
    for line in history_lines(runs):
        echo(line)


def history_lines(runs: list[tuple[str, RunRecord]]) -> list[str]:
    """``odibi state history`` as a table: a header row, then one row per run."""
    width = max(8, *(len(name) for name, _ in runs))
    id_width = max(6, *(len(run.run_id) for _, run in runs))
    lines = [
        f"{'PIPELINE':<{width}}  {'RUN ID':<{id_width}}  {'STATUS':<11} {'STARTED':<29}  "
        f"{'DURATION':>8}  BY  (NODES)"
    ]
    for name, run in runs:
        lines.append(f"{name:<{width}}  {_run_line(run, id_width)}")
    return lines


def unlock(
    lock_id: str = typer.Argument(..., help="Lock id, as `odibi state show` lists it."),
    project: str | None = PROJECT_ARG,
    env: str | None = ENV_OPT,
    force: bool = typer.Option(False, "--force", "-f", help="Do not ask for confirmation."),
) -> None:
    """Break a stuck lock (asks for confirmation unless --force).

    An id no lock has is a usage error (exit 2); answering no to the question unlocks nothing and
    exits 0.
    """
    backend = _open(project, env)
    try:
        holder = next((h for h in backend.holders() if h.lock_id == lock_id), None)
        if not force:
            question = (
                f"Break {holder.describe()}?"
                if holder is not None
                else f"Clear lock {lock_id} at {display_path(backend.location)}?"
            )
            if not _confirmed(question + " Only do this if that run is dead"):
                echo("nothing was unlocked", err=True)
                return
        broken: HolderInfo = backend.force_unlock(lock_id)  # LockNotFound: a usage error, exit 2
    finally:
        backend.close()
    echo(f"unlocked: {broken.describe()}")


def _confirmed(question: str) -> bool:
    """Ask ``question``; no answer (end of input) counts as no."""
    try:
        return typer.confirm(question, default=False, err=True)
    except typer.Abort:
        return False


def _run_line(run: RunRecord, id_width: int = 0) -> str:
    counts: dict[str, int] = {}
    for record in run.nodes.values():
        counts[record.status] = counts.get(record.status, 0) + 1
    nodes = (
        ", ".join(f"{n} {status}" for status, n in sorted(counts.items())) or "no nodes recorded"
    )
    took = _duration(run.started_at, run.finished_at)
    who = f"{run.user or '?'}@{run.host or '?'} pid {run.pid or '?'}"
    started = f"{run.started_at:<29}" if id_width else run.started_at
    return f"{run.run_id:<{id_width}}  {run.status:<11} {started}  {took:>8}  {who}  ({nodes})"


def _duration(start: str, end: str | None) -> str:
    if end is None:
        return "-"
    try:
        seconds = (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds()
    except ValueError:
        return "?"
    return f"{seconds:.2f}s"
