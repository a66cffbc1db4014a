"""``odibi migrate OLD_PROJECT [-o NEW_DIR] [--force] [--check]``."""

from __future__ import annotations

from pathlib import Path

import typer


def build_app() -> typer.Typer:
    """The ``migrate`` command as a Typer app."""
    app = typer.Typer(help="Convert an original Odibi 2.x/3.x project.", invoke_without_command=True)

    @app.callback(invoke_without_command=True)
    def migrate(
        old_project: Path = typer.Argument(..., help="Folder (or project file) of the original project."),
        output: Path = typer.Option(None, "--output", "-o", help="Folder of the new project (default: OLD_PROJECT-migrated)."),
        force: bool = typer.Option(False, "--force", help="Overwrite files already in the output folder."),
        check: bool = typer.Option(False, "--check", help="Write nothing; print the changes; exit 1 if anything cannot be converted."),
    ) -> None:
        """Convert OLD_PROJECT and write MIGRATION.md listing every change (exit 1: something needs you)."""
        from odibi_core.errors import UsageError

        from odibi_migrate.project import migrate as run, write_migration

        try:
            migration = run(old_project)
        except (FileNotFoundError, ValueError) as exc:
            raise UsageError(f"cannot read the original project: {exc}") from None
        report = migration.report
        if check:
            typer.echo(report.markdown(migration.old.main), nl=False)
            raise typer.Exit(1 if report.unconverted_count else 0)
        target = output or old_project.with_name(old_project.resolve().name + "-migrated")
        try:
            write_migration(migration, target, force=force)
        except FileExistsError as exc:
            raise UsageError(f"{target}: would overwrite {exc}",
                             hint="Choose another --output folder, or pass --force.") from None
        typer.echo(f"wrote {target / 'odibi.yaml'} and {target / 'MIGRATION.md'}: "
                   f"{len(report.notes) - report.unconverted_count} changes, "
                   f"{report.unconverted_count} constructs need you (see MIGRATION.md)")

    return app
