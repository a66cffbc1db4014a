"""``odibi delta history | vacuum | optimize``: Delta table maintenance without writing Python.

Tables are named ``CONNECTION:PATH`` with a connection of the project (its credentials come from
the project's secrets, exactly as in a run). ``vacuum`` only lists what it would delete unless
``--apply`` is given.
"""

from __future__ import annotations

import typer
from odibi_core.cli.context import PROJECT_ARG, echo, echo_json, load

TABLE_ARG = typer.Argument(..., help="CONNECTION:PATH of the table, e.g. lake:events.")
ENV_OPT = typer.Option(None, "--env", "-e", help="Overlay environments.NAME first.")
JSON_OPT = typer.Option(False, "--json", help="Print JSON.")


def build_app() -> typer.Typer:
    """The ``odibi delta`` sub-app."""
    app = typer.Typer(
        help="Delta table maintenance: history, vacuum, optimize.", no_args_is_help=True
    )
    app.command("history")(history)
    app.command("vacuum")(vacuum)
    app.command("optimize")(optimize)
    return app


def _connection(table: str, project: str | None, env: str | None) -> tuple[object, str]:
    from odibi_format_delta.maintenance import TableRef, open_connection

    ref = TableRef.parse(table)
    loaded, pm = load(project, env)
    return open_connection(loaded, pm, ref.connection), ref.path


def history(
    table: str = TABLE_ARG,
    project: str | None = PROJECT_ARG,
    env: str | None = ENV_OPT,
    limit: int | None = typer.Option(None, "--limit", "-n", min=1, help="Newest N commits only."),
    as_json: bool = JSON_OPT,
) -> None:
    """Show the commits of a Delta table, newest first."""
    from odibi_format_delta import maintenance

    connection, path = _connection(table, project, env)
    commits = maintenance.history(connection, path, limit)  # type: ignore[arg-type]
    if as_json:
        echo_json(commits)
        return
    for commit in commits:
        echo(
            f"version {commit.get('version')}  {commit.get('operation', '?'):<10} "
            f"{_when(commit.get('timestamp'))}  "
            f"{_rows(commit.get('operationMetrics') or {})}".rstrip()
        )


def _rows(metrics: dict[str, object]) -> str:
    """What a commit did to rows, from its operation metrics."""
    merged = [
        (metrics.get(f"num_target_rows_{kind}"), kind)
        for kind in ("inserted", "updated", "deleted")
    ]
    if any(n is not None for n, _ in merged):
        return ", ".join(f"{n} {kind}" for n, kind in merged if n is not None)
    added = metrics.get("num_added_rows")
    return "" if added is None else f"{added} rows added"


def _when(millis: object) -> str:
    from datetime import datetime, timezone

    if not isinstance(millis, (int, float)):
        return "?"
    return datetime.fromtimestamp(millis / 1000, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def vacuum(
    table: str = TABLE_ARG,
    project: str | None = PROJECT_ARG,
    env: str | None = ENV_OPT,
    retention_hours: int = typer.Option(
        168,
        "--retention-hours",
        min=0,
        help="Keep files still needed by versions younger than this many hours (below 168 "
        "needs --force-short-retention).",
    ),
    apply: bool = typer.Option(
        False, "--apply", help="Delete the files (default: only list them)."
    ),
    force_short: bool = typer.Option(
        False,
        "--force-short-retention",
        help="Allow a retention under 168 hours (breaks time travel further back).",
    ),
    as_json: bool = JSON_OPT,
) -> None:
    """List (or with --apply delete) data files no recent version needs."""
    from odibi_core.plugin import UsageError

    from odibi_format_delta import maintenance

    if retention_hours < maintenance.DEFAULT_RETENTION_HOURS and not force_short:
        raise UsageError(
            f"--retention-hours {retention_hours} is under Delta's safety limit of "
            f"{maintenance.DEFAULT_RETENTION_HOURS}: readers or time travel may still need "
            "those files",
            hint="Add --force-short-retention if no reader or writer can still use older versions.",
        )
    connection, path = _connection(table, project, env)
    files = maintenance.vacuum(connection, path, retention_hours, apply=apply)  # type: ignore[arg-type]
    if as_json:
        echo_json({"dry_run": not apply, "files": files})
        return
    verb = "deleted" if apply else "would delete (dry run; add --apply)"
    echo(f"{verb}: {len(files)} file(s)")
    for name in files:
        echo(f"  {name}")


def optimize(
    table: str = TABLE_ARG,
    project: str | None = PROJECT_ARG,
    env: str | None = ENV_OPT,
    target_size: int | None = typer.Option(
        None, "--target-size", min=1, help="Bytes per compacted file."
    ),
    as_json: bool = JSON_OPT,
) -> None:
    """Compact small data files into larger ones (one commit)."""
    from odibi_format_delta import maintenance

    connection, path = _connection(table, project, env)
    metrics = maintenance.optimize(connection, path, target_size)  # type: ignore[arg-type]
    if as_json:
        echo_json(metrics)
        return
    echo(
        f"optimized {table}: {metrics.get('numFilesRemoved', 0)} files compacted into "
        f"{metrics.get('numFilesAdded', 0)}"
    )
