"""Table maintenance behind ``odibi delta``: history, vacuum (dry run by default), optimize."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from odibi_core.plugin import UsageError

from odibi_format_delta.table import delta_errors, open_table

if TYPE_CHECKING:
    from odibi_core.config.loader import LoadedProject
    from odibi_core.plugin import FileConnection
    from odibi_core.plugins.manager import OdibiPluginManager

DEFAULT_RETENTION_HOURS = 168
"""Delta's own default: files removed from the table more than 7 days ago may be deleted."""


@dataclass(frozen=True)
class TableRef:
    """``CONNECTION:PATH`` as given on the command line."""

    connection: str
    path: str

    @classmethod
    def parse(cls, text: str) -> TableRef:
        """Split ``lake:events/daily``; a usage error names the expected form."""
        name, sep, path = text.partition(":")
        if not sep or not name or not path:
            raise UsageError(f"table {text!r} is not CONNECTION:PATH (e.g. lake:events)")
        return cls(name, path)

    def __str__(self) -> str:
        return f"{self.connection}:{self.path}"


def open_connection(project: LoadedProject, pm: OdibiPluginManager, name: str) -> FileConnection:
    """Build the project's connection ``name`` exactly as a run does (secrets resolved)."""
    from odibi_core.config.suggestions import did_you_mean
    from odibi_core.plugin import BuildContext, FileConnection

    config = project.config.connections.get(name)
    if config is None:
        known = project.config.connections
        raise UsageError(
            f"no connection {name!r}{did_you_mean(name, known)}; "
            f"defined: {', '.join(known) or 'none'}"
        )
    spec = pm.connection(config.type)
    context = BuildContext(
        name=name, project_dir=project.project_dir, project_name=project.config.project
    )
    connection = spec.factory(project.connection_options[name], context)
    connection.name, connection.type = name, config.type
    if not isinstance(connection, FileConnection):
        raise UsageError(f"connection {name!r} ({config.type}) holds no files, so no Delta tables")
    return connection


def history(
    connection: FileConnection, path: str, limit: int | None = None
) -> list[dict[str, Any]]:
    """Commits of the table, newest first."""
    table = open_table(connection, path)
    with delta_errors(f"{connection.name}:{path}"):
        return list(table.history(limit))


def vacuum(
    connection: FileConnection, path: str, retention_hours: int, *, apply: bool
) -> list[str]:
    """Data files no version younger than ``retention_hours`` needs; deleted only if ``apply``."""
    table = open_table(connection, path)
    with delta_errors(f"{connection.name}:{path}"):
        return list(
            table.vacuum(
                retention_hours=retention_hours,
                dry_run=not apply,
                enforce_retention_duration=retention_hours >= DEFAULT_RETENTION_HOURS,
            )
        )


def optimize(
    connection: FileConnection, path: str, target_size: int | None = None
) -> dict[str, Any]:
    """Compact small files into larger ones (one commit; readers are never disturbed)."""
    table = open_table(connection, path)
    with delta_errors(f"{connection.name}:{path}"):
        return dict(table.optimize.compact(target_size=target_size))
