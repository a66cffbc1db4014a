"""The ``state:`` keys of the ``azure_blob`` backend (validated when the project loads)."""

from __future__ import annotations

import re

from odibi_core.plugin import PluginOptions
from pydantic import Field, SecretStr, field_validator, model_validator

MIN_LEASE_SECONDS = 15
"""Shortest lease Azure grants (seconds)."""

MAX_LEASE_SECONDS = 60
"""Longest finite lease Azure grants (seconds); ``-1`` (infinite) is deliberately not offered."""

_CONTAINER = re.compile(r"^(?=.{3,63}$)[a-z0-9](?:[a-z0-9]|-(?!-))*[a-z0-9]$")


class AzureBlobStateOptions(PluginOptions):
    """Options of ``state: {backend: azure_blob, ...}``.

    Give either ``connection_string``, or ``account_url`` with one of ``account_key``,
    ``sas_token`` (or a SAS in the URL itself), or nothing (then azure-identity's
    ``DefaultAzureCredential`` is used, if installed). Put credentials in ``${secret:NAME}``
    references, never in the file.
    """

    account_url: str | None = Field(
        None, description="Blob service URL, e.g. `https://myaccount.blob.core.windows.net`."
    )
    connection_string: SecretStr | None = Field(
        None, description="Storage connection string (instead of `account_url`); a secret."
    )
    account_name: str | None = Field(
        None, description="Account name for `account_key` (default: taken from `account_url`)."
    )
    account_key: SecretStr | None = Field(None, description="Storage account key; a secret.")
    sas_token: SecretStr | None = Field(
        None, description="SAS token (with or without the leading `?`); a secret."
    )
    container: str = Field("odibi-state", description="Container (created on first use).")
    blob: str | None = Field(
        None, description="Blob holding the state document (default `<project>/state.json`)."
    )
    lease_duration: int = Field(
        30,
        ge=MIN_LEASE_SECONDS,
        le=MAX_LEASE_SECONDS,
        description="Seconds a lock lease lasts unrenewed (15-60); renewed every third of it.",
    )
    api_version: str | None = Field(
        None, description="Storage REST API version to send (default: the SDK's own)."
    )

    @field_validator("account_url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^https?://[^/?#]+", value):
            raise ValueError("must be an http(s) URL like https://ACCOUNT.blob.core.windows.net")
        return value

    @field_validator("container")
    @classmethod
    def _container(cls, value: str) -> str:
        if not _CONTAINER.match(value):
            raise ValueError(
                "container names are 3-63 characters: lower-case letters, digits and single "
                "hyphens, starting and ending with a letter or digit"
            )
        return value

    @field_validator("blob")
    @classmethod
    def _blob(cls, value: str | None) -> str | None:
        if value is not None:
            if not value.strip() or value.startswith("/") or value.endswith("/"):
                raise ValueError(
                    "must be a blob name like `sales/state.json` (no leading or trailing /)"
                )
            if len(value) > 1000:
                raise ValueError("blob names are at most 1000 characters here")
        return value

    @model_validator(mode="after")
    def _credentials(self) -> AzureBlobStateOptions:
        if (self.account_url is None) == (self.connection_string is None):
            raise ValueError("give exactly one of `account_url` and `connection_string`")
        if self.connection_string is not None:
            extra = [
                k
                for k in ("account_key", "sas_token", "account_name")
                if getattr(self, k) is not None
            ]
            if extra:
                raise ValueError(
                    f"`{extra[0]}` cannot be combined with `connection_string` "
                    "(it carries its own credential)"
                )
        if self.account_key is not None and self.sas_token is not None:
            raise ValueError("give one of `account_key` and `sas_token`, not both")
        return self

    def blob_name(self, project: str) -> str:
        """The state blob: ``blob`` or ``<project>/state.json``."""
        return self.blob or f"{project or 'odibi'}/state.json"
