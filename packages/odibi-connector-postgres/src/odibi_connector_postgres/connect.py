"""Opening psycopg connections from validated options (psycopg is imported here, lazily)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from odibi_core.plugin import register_secret

from odibi_connector_postgres.errors import translated

if TYPE_CHECKING:
    import psycopg

    from odibi_connector_postgres.options import PostgresOptions

APPLICATION_NAME_LIMIT = 63  # PostgreSQL truncates longer names


def default_application_name(run_id: str | None) -> str:
    """``odibi`` plus the run id, so a DBA can tell which run a session belongs to."""
    return f"odibi {run_id}"[:APPLICATION_NAME_LIMIT] if run_id else "odibi"


def register_credentials(name: str, options: PostgresOptions) -> None:
    """Register the password and the DSN (and any password inside it) for redaction."""
    if options.password is not None:
        register_secret(options.password.get_secret_value(), source=f"connection {name} password")
    if options.dsn is not None:
        dsn = options.dsn.get_secret_value()
        register_secret(dsn, source=f"connection {name} dsn")
        try:
            from psycopg.conninfo import conninfo_to_dict

            embedded = conninfo_to_dict(dsn).get("password")
        except Exception:  # an invalid dsn fails later, at connect, with a redacted message
            embedded = None
        if embedded:
            register_secret(str(embedded), source=f"connection {name} dsn password")


def connection_kwargs(options: PostgresOptions, application_name: str) -> dict[str, Any]:
    """libpq keywords from ``options``; keys set beside a ``dsn`` override it."""
    settings: dict[str, Any] = {
        "host": options.host,
        "port": options.port,
        "dbname": options.database,
        "user": options.user,
        "password": options.password.get_secret_value() if options.password else None,
        "sslmode": options.sslmode,
        "connect_timeout": options.connect_timeout,
        "application_name": options.application_name or application_name,
        "client_encoding": "UTF8",
    }
    return {key: value for key, value in settings.items() if value is not None}


def open_connection(
    options: PostgresOptions, *, name: str, application_name: str, autocommit: bool = False
) -> psycopg.Connection[Any]:
    """Connect, or raise the translated error (transient ones are retried by the kernel)."""
    import psycopg

    dsn = options.dsn.get_secret_value() if options.dsn else ""
    with translated(connection=name, action="connect"):
        return psycopg.connect(
            dsn, autocommit=autocommit, **connection_kwargs(options, application_name)
        )
