"""Azure SDK errors become Odibi errors that name container, path and credential kind."""

from __future__ import annotations

import pytest
from azure.core import exceptions as az
from odibi_connector_azure.errors import (
    AzureAccessDenied,
    AzurePathNotFound,
    AzureStorageError,
    AzureTransientError,
    translate,
)
from odibi_core.errors import TransientIOError


def _http(status: int) -> az.HttpResponseError:
    exc = az.HttpResponseError(message=f"status {status}")
    exc.status_code = status
    return exc


@pytest.mark.parametrize(
    ("exc", "kind", "text"),
    [
        (
            az.ClientAuthenticationError("nope"),
            AzureAccessDenied,
            "access refused (HTTP 401) for the SAS token credential",
        ),
        (_http(403), AzureAccessDenied, "access refused (HTTP 403)"),
        (az.ResourceNotFoundError("gone"), AzurePathNotFound, "not found (HTTP 404)"),
        (_http(503), AzureTransientError, "still failing after retries (HTTP 503)"),
        (_http(429), AzureTransientError, "HTTP 429"),
        (az.ServiceRequestError("timed out"), AzureTransientError, "ServiceRequestError"),
        (_http(409), AzureStorageError, "status 409"),
    ],
)
def test_translation(exc, kind, text):
    error = translate(
        exc, connection="lake", container="raw", path="orders.csv", credential="SAS token"
    )
    assert type(error) is kind
    assert "connection 'lake': container 'raw', path 'orders.csv'" in error.message
    assert text in error.message
    assert isinstance(error, TransientIOError) == (kind is AzureTransientError)


def test_other_exceptions_are_left_alone():
    assert (
        translate(ValueError("x"), connection="c", container="k", path="p", credential="c") is None
    )
