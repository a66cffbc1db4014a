"""``odibi migrate OLD_PROJECT [-o NEW_DIR] [--force] [--check]``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from odibi_core.plugin import ExitCode, OdibiError


class MigrationIncomplete(OdibiError):
    """``odibi migrate --check`` found constructs it cannot convert (exit 1)."""

    exit_code = ExitCode.RUN_FAILED
    default_hint = "Run without --check to write the project; MIGRATION.md says what to do."


def _single_command_group() -> type:
    """A Typer group that is really one command: ``odibi migrate OLD`` has no sub-commands."""
    from typer.core import TyperGroup

    # click's Command (the one Typer runs on: recent Typer versions ship their own click)
    command: Any = next(c for c in TyperGroup.__mro__ if c.__name__ == "Command")

    class SingleCommandGroup(TyperGroup):
        allow_interspersed_args = True  # options may follow OLD_PROJECT

        def parse_args(self, ctx: Any, args: list[str]) -> list[str]:  # click.Context
            parsed: list[str] = command.parse_args(self, ctx, args)
            return parsed

        def invoke(self, ctx: Any) -> Any:  # click.Context
            return command.invoke(self, ctx)

    return SingleCommandGroup


def build_app() -> typer.Typer:
    """The ``migrate`` command as a Typer app."""
    app = typer.Typer(
        help="Convert an original Odibi 2.x/3.x project.",
        invoke_without_command=True,
        cls=_single_command_group(),
    )

    @app.callback(invoke_without_command=True)
    def migrate(
        old_project: Annotated[
            Path, typer.Argument(help="Folder (or project file) of the original project.")
        ],
        output: Annotated[
            Path | None,
            typer.Option(
                "--output",
                "-o",
                help="Folder of the new project.",
            ),
        ] = None,
        force: Annotated[
            bool, typer.Option("--force", help="Overwrite files in the output folder.")
        ] = False,
        check: Annotated[
            bool,
            typer.Option(
                "--check",
                help="Write nothing; print the changes; exit 1 if anything cannot be converted.",
            ),
        ] = False,
    ) -> None:
        """Convert OLD_PROJECT; MIGRATION.md lists every change (exit 1: something needs you)."""
        from odibi_core.plugin import UsageError

        from odibi_migrate.project import migrate as run
        from odibi_migrate.project import write_migration

        try:
            migration = run(old_project)
        except (FileNotFoundError, ValueError) as exc:
            raise UsageError(f"cannot read the original project: {exc}") from None
        report = migration.report
        if check:
            typer.echo(report.markdown(migration.old.main), nl=False)
            if report.unconverted_count:
                raise MigrationIncomplete(
                    f"{report.unconverted_count} construct(s) could not be converted "
                    "(listed above under 'Not converted')"
                )
            return
        target = output or old_project.with_name(old_project.resolve().name + "-migrated")
        try:
            write_migration(migration, target, force=force)
        except FileExistsError as exc:
            raise UsageError(
                f"{target}: would overwrite {exc}",
                hint="Choose another --output folder, or pass --force.",
            ) from None
        typer.echo(
            f"wrote {target / 'odibi.yaml'} and {target / 'MIGRATION.md'}: "
            f"{len(report.notes) - report.unconverted_count} changes, "
            f"{report.unconverted_count} constructs need you (see MIGRATION.md)"
        )

    return app
