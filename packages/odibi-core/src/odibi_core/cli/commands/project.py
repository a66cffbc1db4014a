"""``odibi init``: scaffold a runnable example project."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import typer

from odibi_core.cli.context import echo


def register(app: typer.Typer) -> None:
    """Add ``init`` to ``app``."""
    app.command("init")(init)


def init(
    directory: Path = typer.Argument(Path("odibi-project"), help="Folder to create (must be empty or absent)."),
    force: bool = typer.Option(False, "--force", help="Write into a non-empty folder (existing files are kept)."),
) -> None:
    """Create a small runnable project: CSV in, SQL join and a Python step, Parquet out."""
    from odibi_core.errors import UsageError

    if directory.exists() and any(directory.iterdir()) and not force:
        raise UsageError(f"{directory} is not empty", hint="Choose a new folder or pass --force.")
    template = resources.files("odibi_core.cli") / "template"
    written = 0
    for item in _walk(template):
        rel = item[0]
        target = directory / rel
        if target.exists():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(item[1])
        written += 1
    echo(f"created {directory} ({written} files); run it with: odibi run {directory / 'odibi.yaml'}")


def _walk(root: resources.abc.Traversable, prefix: str = "") -> list[tuple[str, bytes]]:
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


