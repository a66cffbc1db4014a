"""Errors of the Azure connections, and the translation of Azure SDK errors into them.

Every message names the connection, the container and the path, and the kind of credential in
use; none carries a credential or a URL with a query string. Throttling and timeouts are retried
by the SDK with backoff first; what still fails is an
:class:`~odibi_core.errors.TransientIOError` (so the node's ``retry:`` policy may run it again).
Refused credentials and missing paths are never retried.
"""

from __future__ import annotations

from odibi_core.plugin import ExitCode, OdibiError, TransientIOError, redact_text


class AzureStorageError(OdibiError):
    """Azure Storage refused or failed a request; nothing was published."""

    exit_code = ExitCode.RUN_FAILED


class AzureAccessDenied(AzureStorageError):
    """The credential was refused (HTTP 401/403): wrong key, expired SAS, missing role."""

    default_hint = (
        "Check the connection's credential (`odibi doctor` probes it); a service principal "
        "or managed identity needs the 'Storage Blob Data Contributor' role."
    )


class AzurePathNotFound(AzureStorageError):
    """The container or the path does not exist (HTTP 404)."""

    default_hint = "Check the connection's container and base_path and the node's path."


class AzureTransientError(AzureStorageError, TransientIOError):
    """Throttling (429/503), a server error or a timeout outlasted the retries."""

    default_hint = "The storage account is throttling or unreachable; the run may be retried later."


def _status(exc: BaseException) -> int | None:
    status = getattr(exc, "status_code", None)
    return status if isinstance(status, int) else None


def _code(exc: BaseException) -> str:
    code = getattr(exc, "error_code", None)
    return f" {code}" if code else ""


def translate(
    exc: BaseException, *, connection: str, container: str, path: str, credential: str
) -> OdibiError | None:
    """The Odibi error for an Azure SDK exception, or ``None`` if ``exc`` is none of those."""
    try:
        from azure.core import exceptions as az
    except ImportError:  # pragma: no cover - the SDK is a dependency
        return None
    if not isinstance(exc, az.AzureError):
        return None
    where = f"connection {connection!r}: container {container!r}, path {path or '/'!r}"
    status = _status(exc)
    if isinstance(exc, az.ClientAuthenticationError) or status in (401, 403):
        return AzureAccessDenied(
            f"{where}: access refused (HTTP {status or 401}{_code(exc)}) "
            f"for the {credential} credential"
        )
    if isinstance(exc, az.ResourceNotFoundError) or status == 404:
        return AzurePathNotFound(f"{where}: not found (HTTP 404{_code(exc)})")
    if isinstance(exc, (az.ServiceRequestError, az.ServiceResponseError)) or status in (
        408,
        429,
        500,
        502,
        503,
        504,
    ):
        detail = f"HTTP {status}{_code(exc)}" if status else type(exc).__name__
        return AzureTransientError(f"{where}: still failing after retries ({detail})")
    first = redact_text(str(exc)).strip().splitlines()
    return AzureStorageError(f"{where}: {first[0] if first else type(exc).__name__}")
