"""Build the Azure SDK client from the options, and keep every credential out of every output.

All credential forms are registered with the redaction registry before any request is made:
the connection string (and its ``AccountKey=`` / ``SharedAccessSignature=`` parts), the account
key, the SAS token (and its ``sig=``), and a SAS embedded in ``account_url``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from odibi_core.plugin import ConfigError, redact_text, register_secret
from odibi_core.redaction import register_config_values

if TYPE_CHECKING:
    from azure.storage.blob import BlobServiceClient

    from odibi_state_azure.options import AzureBlobStateOptions

REQUEST_RETRIES = 3
"""Attempts the SDK adds after a transient failure (network, 5xx); 412/409 are never retried."""

CONNECTION_TIMEOUT = 10
"""Seconds to open a connection to the storage service."""

READ_TIMEOUT = 30
"""Seconds to wait for a response."""


def register_credentials(options: AzureBlobStateOptions) -> None:
    """Register every credential in ``options`` for redaction (values and embedded parts)."""
    values: dict[str, Any] = {}
    for key in ("connection_string", "account_key", "sas_token"):
        secret = getattr(options, key)
        if secret is not None:
            values[key] = secret.get_secret_value()
    if options.sas_token is not None:
        token = options.sas_token.get_secret_value()
        register_secret(token.lstrip("?"), source="state.sas_token")
        values["sas_query"] = "?" + token.lstrip("?")  # lets the sig= pattern find the signature
    if options.account_url is not None:
        values["account_url"] = options.account_url
        query = urlsplit(options.account_url).query
        if "sig=" in query:
            register_secret(query, source="state.account_url SAS")
    register_config_values(values)


def safe_url(url: str) -> str:
    """``url`` without query string, fragment or user info (what may be printed)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path.rstrip("/"), "", ""))


def account_name_from_url(url: str) -> str | None:
    """``myaccount`` of ``https://myaccount.blob.core.windows.net`` or of an emulator-style
    ``http://127.0.0.1:10000/myaccount`` URL."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if host and not host.replace(".", "").isdigit() and host != "localhost" and "." in host:
        return host.split(".", 1)[0]
    segment = parts.path.strip("/").split("/", 1)[0]
    return segment or None


def build_service_client(options: AzureBlobStateOptions) -> BlobServiceClient:
    """A ``BlobServiceClient`` for ``options`` (no request is made here)."""
    from azure.storage.blob import BlobServiceClient, ExponentialRetry

    kwargs: dict[str, Any] = {
        "retry_policy": ExponentialRetry(
            initial_backoff=1, increment_base=2, retry_total=REQUEST_RETRIES, random_jitter_range=1
        ),
        "connection_timeout": CONNECTION_TIMEOUT,
        "read_timeout": READ_TIMEOUT,
    }
    if options.api_version:
        kwargs["api_version"] = options.api_version
    if options.connection_string is not None:
        try:
            return BlobServiceClient.from_connection_string(
                options.connection_string.get_secret_value(), **kwargs
            )
        except ValueError as exc:
            raise ConfigError(
                "state.connection_string is not a usable storage connection string: "
                f"{redact_text(str(exc))}",
                hint="Copy it from the storage account's 'Access keys' page; it needs "
                "AccountName and AccountKey (or SharedAccessSignature) and an endpoint.",
            ) from None
    assert options.account_url is not None  # the options model guarantees one of the two
    return BlobServiceClient(options.account_url, credential=_credential(options), **kwargs)


def _credential(options: AzureBlobStateOptions) -> Any:
    url = options.account_url or ""
    if options.account_key is not None:
        name = options.account_name or account_name_from_url(url)
        if not name:
            raise ConfigError(
                "state.account_key needs the account name, which cannot be read from "
                "state.account_url: "
                "set state.account_name",
                hint="Add `account_name:` to the state section.",
            )
        return {"account_name": name, "account_key": options.account_key.get_secret_value()}
    if options.sas_token is not None:
        from azure.core.credentials import AzureSasCredential

        return AzureSasCredential(options.sas_token.get_secret_value().lstrip("?"))
    if "sig=" in urlsplit(url).query:
        return None  # the URL carries its own SAS
    try:
        from azure.identity import DefaultAzureCredential
    except ImportError:
        raise ConfigError(
            "state.account_url has no credential: give account_key or sas_token "
            "(as ${secret:NAME}), "
            "a connection_string, or install azure-identity for the default Azure credential",
            hint="pip install 'odibi-state-azure[identity]' to sign in with az login, a managed "
            "identity or AZURE_CLIENT_ID/AZURE_TENANT_ID/AZURE_CLIENT_SECRET.",
        ) from None
    return DefaultAzureCredential()
