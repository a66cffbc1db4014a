"""Builtin connection: ``local``."""

from __future__ import annotations

from odibi_core.plugins.hookspecs import hookimpl
from odibi_core.plugins.types import ConnectionSpec


@hookimpl
def odibi_connections() -> list[ConnectionSpec]:
    """Register ``local``."""
    from odibi_core.connections.local import LocalConnection, LocalOptions

    return [
        ConnectionSpec("local", LocalConnection.build, LocalOptions, "Files under a local folder")
    ]
