"""The keys of ``azure_blob`` and ``azure_adls`` connections (checked when the project loads).

Exactly one way to sign in is used, chosen by which keys are set: ``connection_string``;
``account_key``; ``sas_token``; a service principal (``tenant_id`` + ``client_id`` +
``client_secret``); or, when none is given, azure-identity's ``DefaultAzureCredential`` (managed
identity, workload identity, ``az login``, ``AZURE_*`` variables). Put every credential in a
``${secret:NAME}`` reference: they are masked in every output.
"""

from __future__ import annotations

import re

from odibi_core.plugin import PluginOptions
from pydantic import Field, SecretStr, field_validator, model_validator

_CONTAINER = re.compile(r"^(?=.{3,63}$)[a-z0-9](?:[a-z0-9]|-(?!-))*[a-z0-9]$")
_ACCOUNT = re.compile(r"^[a-z0-9]{3,24}$")

CREDENTIAL_KINDS = (
    "connection string",
    "account key",
    "SAS token",
    "service principal",
    "DefaultAzureCredential",
)
"""Names of the credential kinds, as messages and ``odibi doctor`` print them."""


class AzureStorageOptions(PluginOptions):
    """Keys both Azure connection types share."""

    account_name: str | None = Field(
        None, description="Storage account name (not needed with `connection_string`)."
    )
    account_url: str | None = Field(
        None,
        description="Blob endpoint when it is not `https://<account>.blob.core.windows.net` "
        "(sovereign clouds, private endpoints, the Azurite emulator).",
    )
    connection_string: SecretStr | None = Field(
        None, description="Storage connection string; a secret."
    )
    account_key: SecretStr | None = Field(None, description="Storage account key; a secret.")
    sas_token: SecretStr | None = Field(
        None, description="SAS token (with or without `?`); a secret."
    )
    tenant_id: str | None = Field(None, description="Service principal: Microsoft Entra tenant id.")
    client_id: str | None = Field(None, description="Service principal: application (client) id.")
    client_secret: SecretStr | None = Field(
        None, description="Service principal: client secret; a secret."
    )
    base_path: str = Field(
        "", description="Folder inside the container that paths are relative to."
    )
    max_retries: int = Field(
        5,
        ge=0,
        le=20,
        description="Retries of a throttled (429/503) or timed-out request, with backoff.",
    )
    retry_backoff: float = Field(
        1.0,
        gt=0,
        le=60,
        description="Seconds before the first retry; doubles for each further one.",
    )
    timeout: int = Field(60, ge=1, le=3600, description="Seconds to wait for one response.")
    block_size_mib: int = Field(
        4,
        ge=1,
        le=100,
        description="MiB fetched by one ranged read and uploaded as one block. Memory grows "
        "with it: adlfs' own 50 MiB default held a 100 MiB Parquet file in about 1 GiB while "
        "DuckDB read it.",
    )

    @field_validator("account_name")
    @classmethod
    def _account(cls, value: str | None) -> str | None:
        if value is not None and not _ACCOUNT.match(value):
            raise ValueError("storage account names are 3-24 lower-case letters and digits")
        return value

    @field_validator("account_url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^https?://[^/?#]+", value):
            raise ValueError("must be an http(s) URL like https://ACCOUNT.blob.core.windows.net")
        if value is not None and "?" in value:
            raise ValueError("must not carry a query string: put a SAS token in sas_token")
        return value

    @field_validator("base_path")
    @classmethod
    def _base(cls, value: str) -> str:
        return value.strip("/")

    @model_validator(mode="after")
    def _one_credential(self) -> AzureStorageOptions:
        principal = [self.tenant_id, self.client_id, self.client_secret]
        given = [
            kind
            for kind, present in (
                ("connection_string", self.connection_string is not None),
                ("account_key", self.account_key is not None),
                ("sas_token", self.sas_token is not None),
                ("tenant_id/client_id/client_secret", any(p is not None for p in principal)),
            )
            if present
        ]
        if len(given) > 1:
            raise ValueError(f"give one way to sign in, not {' and '.join(given)}")
        if any(p is not None for p in principal) and not all(p is not None for p in principal):
            raise ValueError("a service principal needs tenant_id, client_id and client_secret")
        if self.connection_string is None and self.account_name is None:
            raise ValueError("give account_name (or a connection_string)")
        return self

    @property
    def credential_kind(self) -> str:
        """Which way of signing in these options select (one of :data:`CREDENTIAL_KINDS`)."""
        if self.connection_string is not None:
            return "connection string"
        if self.account_key is not None:
            return "account key"
        if self.sas_token is not None:
            return "SAS token"
        if self.client_secret is not None:
            return "service principal"
        return "DefaultAzureCredential"


def _container_name(value: str) -> str:
    if not _CONTAINER.match(value):
        raise ValueError(
            "names are 3-63 characters: lower-case letters, digits and single hyphens, "
            "starting and ending with a letter or digit"
        )
    return value


class AzureBlobOptions(AzureStorageOptions):
    """Options of ``type: azure_blob``: files in one Blob Storage container."""

    container: str = Field(description="The container holding the data (created on first write).")

    _container = field_validator("container")(classmethod(lambda cls, v: _container_name(v)))

    @property
    def root(self) -> str:
        """The container (Blob) or filesystem (ADLS) name."""
        return self.container


class AzureAdlsOptions(AzureStorageOptions):
    """Options of ``type: azure_adls``: files in one ADLS Gen2 filesystem (a container of an
    account with hierarchical namespace)."""

    filesystem: str = Field(description="The ADLS Gen2 filesystem (container) holding the data.")

    _filesystem = field_validator("filesystem")(classmethod(lambda cls, v: _container_name(v)))

    @property
    def root(self) -> str:
        """The container (Blob) or filesystem (ADLS) name."""
        return self.filesystem
