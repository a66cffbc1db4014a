"""``odibi doctor``: environment, plugins, references, connections, state and reports, checked."""

from __future__ import annotations

import typer

from odibi_core.cli.context import echo, echo_json

MARKS = {"ok": "ok", "info": "info", "warn": "WARN", "fail": "FAIL"}


def register(app: typer.Typer) -> None:
    """Add ``doctor`` to ``app``."""
    app.command("doctor")(doctor)


def doctor(
    project: str | None = typer.Argument(
        None,
        help="Project file or folder (default: ./odibi.yaml if present, else environment "
        "checks only).",
    ),
    env: str | None = typer.Option(
        None, "--env", "-e", metavar="NAME", help="Overlay environments.NAME from the project file."
    ),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Check Python, packages, plugins, references, connections, state and reports; exit 8 on a
    problem."""
    from odibi_core.doctor import run_doctor
    from odibi_core.errors import ChecksFailed

    report = run_doctor(project, environment=env)
    if as_json:
        echo_json(report.as_dict())
    else:
        for section, lines in report.sections().items():
            echo(section)
            width = max(len(line.name) for line in lines)
            for line in lines:
                echo(f"  {MARKS[line.status]:<5} {line.name:<{width}}  {line.detail}".rstrip())
    problems = report.problems
    if problems:
        names = ", ".join(f"{p.section}/{p.name}" for p in problems[:5]) + (
            " ..." if len(problems) > 5 else ""
        )
        raise ChecksFailed(
            f"doctor found {len(problems)} problem(s): {names}",
            hint="Each FAIL line above says what is wrong; fix those and run `odibi doctor` again.",
        )
    if not as_json:
        echo("no problems found")
