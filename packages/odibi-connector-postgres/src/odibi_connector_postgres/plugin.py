"""The entry point: registers the connection type ``postgres`` with Odibi.

Declared in ``pyproject.toml`` as::

    [project.entry-points."odibi.plugins"]
    postgres = "odibi_connector_postgres.plugin"

``odibi plugins list`` imports this module, so it imports only the kernel's light modules. The
config model (pydantic) and the connection (psycopg, pyarrow) are imported when the hook is called
and when a run builds the connection.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from odibi_core.plugin import BuildContext, ConnectionSpec, WriteCapabilitySpec, hookimpl

if TYPE_CHECKING:
    from odibi_connector_postgres.connection import PostgresConnection
    from odibi_connector_postgres.options import PostgresOptions

ODIBI_PLUGIN_API = "1.0"
"""The odibi plugin API this plugin was built for (checked when odibi-core loads it)."""


CONNECTION_TYPE = "postgres"
"""The ``type:`` value of a connection in the project file."""


def build_connection(options: PostgresOptions, context: BuildContext) -> PostgresConnection:
    """Factory the kernel calls once per run for each ``postgres`` connection the run uses."""
    from odibi_connector_postgres.connection import PostgresConnection

    return PostgresConnection(context.name, options, run_id=context.run_id)


@hookimpl
def odibi_connections() -> list[ConnectionSpec]:
    """Register the ``postgres`` connection type."""
    return [
        ConnectionSpec(
            CONNECTION_TYPE,
            build_connection,
            "odibi_connector_postgres.options:PostgresOptions",
            "PostgreSQL tables and queries over binary COPY (psycopg 3)",
        )
    ]


@hookimpl
def odibi_write_capabilities() -> list[WriteCapabilitySpec]:
    """Tables are rewritten in one transaction: ``mode: upsert`` and SCD2 history rewrites work."""
    return [
        WriteCapabilitySpec(
            CONNECTION_TYPE,
            CONNECTION_TYPE,
            capabilities=frozenset({"upsert", "scd2"}),
            description="PostgreSQL tables (upsert by keys; history rewritten in one transaction)",
        )
    ]
