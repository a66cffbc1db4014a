"""``odibi init``: scaffold a runnable example project."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from odibi_core.cli.context import echo

if TYPE_CHECKING:
    from importlib.abc import Traversable


def register(app: typer.Typer) -> None:
    """Add ``init`` to ``app``."""
    app.command("init")(init)


def init(
    directory: Path = typer.Argument(
        Path("odibi-project"), help="Folder to create (must be empty or absent)."
    ),
    force: bool = typer.Option(
        False, "--force", help="Write into a non-empty folder (existing files are kept)."
    ),
) -> None:
    """Create a small runnable project named after its folder: CSV in, SQL join and a Python step,
    Parquet out; with a README, a .gitignore (outputs, reports, state, .env) and .env.example."""
    from odibi_core.errors import UsageError

    if directory.exists() and any(directory.iterdir()) and not force:
        raise UsageError(f"{directory} is not empty", hint="Choose a new folder or pass --force.")
    from odibi_core.cli.init_scaffold import (
        project_name,
        render_project_file,
        run_command,
        scaffold_files,
    )

    name = project_name(directory)
    command = run_command(directory)
    files = dict(_walk(resources.files("odibi_core.cli") / "template"))
    files["odibi.yaml"] = render_project_file(files["odibi.yaml"].decode(), name, command).encode()
    files.update(scaffold_files(name))
    written = 0
    for rel, content in files.items():
        target = directory / rel
        if target.exists():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
        written += 1
    written += _write_env_example(directory)
    echo(f"created project {name} in {directory} ({written} files); run it with: {command}")


def _write_env_example(directory: Path) -> int:
    """Write ``.env.example`` as ``odibi secrets init`` would; 1 if written, 0 if one exists."""
    from odibi_core.config.loader import read_project_source
    from odibi_core.secrets.inventory import collect_variables, render_template

    target = directory / ".env.example"
    if target.exists():
        return 0
    source = read_project_source(directory)
    target.write_text(
        render_template(source, collect_variables(source.references(all_environments=True))),
        encoding="utf-8",
    )
    return 1


def _walk(root: Traversable, prefix: str = "") -> list[tuple[str, bytes]]:
    files: list[tuple[str, bytes]] = []
    for entry in sorted(root.iterdir(), key=lambda e: e.name):
        if entry.name == "__pycache__":
            continue
        rel = f"{prefix}{entry.name}"
        if entry.is_dir():
            files += _walk(entry, rel + "/")
        else:
            files.append((rel, entry.read_bytes()))
    return files
