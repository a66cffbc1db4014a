"""Credentials of an Azure connection, in the three forms the libraries want them.

* a synchronous ``BlobServiceClient`` (staging, publishing, listing, checks),
* an asynchronous one for adlfs (what DuckDB reads and writes through),
* ``object_store`` settings for delta-rs (``account_key``, ``sas_token``, ``client_secret`` ...;
  ``DefaultAzureCredential`` is turned into a ``bearer_token`` from azure-identity).

Every credential is registered with the redaction registry before a client exists, so no log
line, error or report can show one; URLs are printed only without their query string.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from odibi_core.plugin import ConfigError, redact_text, register_secret
from odibi_core.redaction import register_config_values

if TYPE_CHECKING:
    from odibi_connector_azure.options import AzureStorageOptions

STORAGE_SCOPE = "https://storage.azure.com/.default"
"""The OAuth scope of Azure Storage."""

EMULATOR_ACCOUNT = "devstoreaccount1"
"""The fixed account of the Azurite emulator (never the name of a real account)."""

EMULATOR_URL_VARIABLE = "AZURITE_BLOB_STORAGE_URL"
"""Where delta-rs's object store finds the emulator in emulator mode."""


def register_credentials(options: AzureStorageOptions) -> None:
    """Register every credential in ``options`` (and its embedded parts) for redaction."""
    values: dict[str, Any] = {}
    for key in ("connection_string", "account_key", "sas_token", "client_secret"):
        secret = getattr(options, key)
        if secret is not None:
            values[key] = secret.get_secret_value()
    if options.sas_token is not None:
        token = options.sas_token.get_secret_value().lstrip("?")
        register_secret(token, source="azure sas_token")
        values["sas_query"] = "?" + token
    register_config_values(values)


def connection_string_parts(text: str) -> dict[str, str]:
    """``AccountName``, ``AccountKey``, ``BlobEndpoint`` ... of a connection string."""
    parts: dict[str, str] = {}
    for item in text.split(";"):
        key, sep, value = item.partition("=")
        if sep and key.strip():
            parts[key.strip()] = value.strip()
    return parts


def safe_url(url: str) -> str:
    """``url`` without query string, fragment or user info (what may be printed)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path.rstrip("/"), "", ""))


def account_url(options: AzureStorageOptions) -> str:
    """The blob endpoint: ``account_url``, the connection string's, or the public cloud's."""
    if options.account_url:
        return options.account_url.rstrip("/")
    if options.connection_string is not None:
        parts = connection_string_parts(options.connection_string.get_secret_value())
        if parts.get("BlobEndpoint"):
            return parts["BlobEndpoint"].rstrip("/")
        name = parts.get("AccountName", "")
        suffix = parts.get("EndpointSuffix", "core.windows.net")
        protocol = parts.get("DefaultEndpointsProtocol", "https")
        return f"{protocol}://{name}.blob.{suffix}"
    return f"https://{options.account_name}.blob.core.windows.net"


def account_name(options: AzureStorageOptions) -> str:
    """The storage account's name."""
    if options.account_name:
        return options.account_name
    assert options.connection_string is not None
    return connection_string_parts(options.connection_string.get_secret_value()).get(
        "AccountName", ""
    )


def _retry_kwargs(options: AzureStorageOptions, aio: bool) -> dict[str, Any]:
    import importlib

    # the sync and async SDKs each have their own ExponentialRetry
    sdk = importlib.import_module("azure.storage.blob.aio" if aio else "azure.storage.blob")
    ExponentialRetry: type[Any] = sdk.ExponentialRetry

    class DoublingRetry(ExponentialRetry):
        """``retry_backoff`` seconds, doubled after every further failure (the SDK's own policy
        adds ``base ** n`` to a fixed start, which cannot start small)."""

        def get_backoff_time(self, settings: dict[str, Any]) -> float:
            return float(options.retry_backoff * 2 ** max(settings["count"] - 1, 0))

    # 408, 429, 500, 502, 503, 504 and connection errors are retried; 401/403/404/409/412 never
    retry = DoublingRetry(retry_total=options.max_retries)
    return {
        "retry_policy": retry,
        "connection_timeout": min(options.timeout, 20),
        "read_timeout": options.timeout,
    }


def _credential(options: AzureStorageOptions, aio: bool) -> Any:
    if options.account_key is not None:
        return {
            "account_name": account_name(options),
            "account_key": options.account_key.get_secret_value(),
        }
    if options.sas_token is not None:
        return options.sas_token.get_secret_value().lstrip("?")
    if options.client_secret is not None:
        module = "azure.identity.aio" if aio else "azure.identity"
        import importlib

        identity = importlib.import_module(module)
        return identity.ClientSecretCredential(
            options.tenant_id, options.client_id, options.client_secret.get_secret_value()
        )
    try:
        import importlib

        identity = importlib.import_module("azure.identity.aio" if aio else "azure.identity")
    except ImportError:
        raise ConfigError(
            "no credential given and azure-identity is not installed",
            hint="pip install azure-identity, or give account_key, sas_token or a "
            "service principal",
        ) from None
    return identity.DefaultAzureCredential()


def service_client(options: AzureStorageOptions, *, aio: bool = False) -> Any:
    """A (sync or async) ``BlobServiceClient`` with Odibi's retry policy; no request is made."""
    import importlib

    # the sync and async SDKs each have their own BlobServiceClient
    sdk = importlib.import_module("azure.storage.blob.aio" if aio else "azure.storage.blob")
    BlobServiceClient: type[Any] = sdk.BlobServiceClient
    kwargs = _retry_kwargs(options, aio)
    if options.connection_string is not None:
        try:
            return BlobServiceClient.from_connection_string(
                options.connection_string.get_secret_value(), **kwargs
            )
        except ValueError as exc:
            raise ConfigError(
                f"connection_string is not a usable storage connection string: "
                f"{redact_text(str(exc))}"
            ) from None
    return BlobServiceClient(account_url(options), credential=_credential(options, aio), **kwargs)


def object_store_options(options: AzureStorageOptions) -> dict[str, str]:
    """Settings for delta-rs's object store (its Azure keys), credentials included."""
    settings: dict[str, str] = {
        "account_name": account_name(options),
        "max_retries": str(options.max_retries),
        "timeout": f"{options.timeout}s",
    }
    endpoint = account_url(options)
    default = f"https://{settings['account_name']}.blob.core.windows.net"
    if settings["account_name"] == EMULATOR_ACCOUNT:
        # Azurite ignores the `startFrom` listing parameter delta-rs uses on real accounts to find
        # new commits (from a table's third commit on, writes would fail); in emulator mode
        # delta-rs lists without it. Emulator mode takes its endpoint from this variable only.
        os.environ[EMULATOR_URL_VARIABLE] = endpoint.removesuffix(f"/{EMULATOR_ACCOUNT}")
        settings["use_emulator"] = "true"
    elif endpoint != default:
        settings["endpoint"] = endpoint
        if endpoint.startswith("http://"):
            settings["allow_http"] = "true"
    if options.connection_string is not None:
        parts = connection_string_parts(options.connection_string.get_secret_value())
        if parts.get("AccountKey"):
            settings["account_key"] = parts["AccountKey"]
        elif parts.get("SharedAccessSignature"):
            settings["sas_token"] = parts["SharedAccessSignature"].lstrip("?")
    elif options.account_key is not None:
        settings["account_key"] = options.account_key.get_secret_value()
    elif options.sas_token is not None:
        settings["sas_token"] = options.sas_token.get_secret_value().lstrip("?")
    elif options.client_secret is not None:
        settings.update(
            client_id=str(options.client_id),
            tenant_id=str(options.tenant_id),
            client_secret=options.client_secret.get_secret_value(),
        )
    else:
        token = _credential(options, aio=False).get_token(STORAGE_SCOPE).token
        register_secret(token, source="azure bearer token")
        settings["bearer_token"] = token
    return settings
