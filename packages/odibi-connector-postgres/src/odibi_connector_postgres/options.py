"""The config model of a ``postgres`` connection: the keys a project file may set.

Example::

    connections:
      warehouse:
        type: postgres
        host: db.internal
        database: analytics
        user: etl
        password: ${secret:WAREHOUSE_PASSWORD}
        sslmode: verify-full

The kernel validates the section with :class:`PostgresOptions` (unknown keys are errors with a
"did you mean"). Credentials are ``pydantic.SecretStr``, so they never show in a ``repr``.
"""

from __future__ import annotations

from typing import Literal

from odibi_core.plugin import PluginOptions
from pydantic import Field, SecretStr, model_validator

SslMode = Literal["disable", "allow", "prefer", "require", "verify-ca", "verify-full"]


class PostgresOptions(PluginOptions):
    """Options of a ``postgres`` connection.

    Give either ``dsn`` or ``host`` (or both: keys set beside a ``dsn`` override the same setting
    inside it). Settings left out fall back to libpq's defaults and ``PG*`` environment variables.
    """

    dsn: SecretStr | None = Field(
        None,
        description="A libpq connection string or URI (`postgresql://user:pw@host/db`); "
        "usually a `${secret:...}` reference. Masked in every output.",
    )
    host: str | None = Field(None, description="Server host name or address.")
    port: int | None = Field(None, ge=1, le=65535, description="Server port (libpq default 5432).")
    database: str | None = Field(None, description="Database name (libpq's `dbname`).")
    user: str | None = Field(None, description="Role to log in as.")
    password: SecretStr | None = Field(
        None, description="Password; usually a `${secret:...}` reference. Masked in every output."
    )
    sslmode: SslMode | None = Field(None, description="libpq `sslmode` (default `prefer`).")
    connect_timeout: int = Field(
        10,
        ge=2,
        le=3600,
        description="Seconds to wait for the server to accept a connection before failing.",
    )
    application_name: str | None = Field(
        None,
        max_length=63,
        description="Shown in `pg_stat_activity` (default: `odibi` and the run id).",
    )

    @model_validator(mode="after")
    def _dsn_or_host(self) -> PostgresOptions:
        if self.dsn is None and not self.host:
            raise ValueError("give dsn or host")
        return self
