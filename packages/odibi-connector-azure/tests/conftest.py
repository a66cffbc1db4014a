"""Fixtures of the odibi-connector-azure tests: Azurite, a fresh container, connections on it."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from odibi_connector_azure.testing import AZURITE_ACCOUNT, azurite_settings


@pytest.fixture(scope="session")
def azurite() -> dict[str, str]:
    """The running Azurite's settings (the test fails, never skips, when it is not running)."""
    return azurite_settings()


@pytest.fixture
def container(azurite: dict[str, str]) -> Iterator[str]:
    """A fresh container name (created by the first write), deleted after the test."""
    from azure.storage.blob import BlobServiceClient

    name = f"t-{uuid.uuid4().hex[:16]}"
    yield name
    with (
        BlobServiceClient.from_connection_string(azurite["connection_string"]) as svc,
        contextlib.suppress(Exception),
    ):
        svc.delete_container(name)


@pytest.fixture
def raw(azurite: dict[str, str], container: str) -> Iterator[Any]:
    """A plain SDK container client on the test's container (created)."""
    from azure.storage.blob import BlobServiceClient

    with BlobServiceClient.from_connection_string(azurite["connection_string"]) as svc:
        client = svc.get_container_client(container)
        client.create_container()
        yield client


@pytest.fixture
def make_connection(azurite: dict[str, str], container: str) -> Iterator[Callable[..., Any]]:
    """``make_connection(name="lake", **options)``: an ``azure_blob`` connection on the test's
    container, signed in with the account key unless other options say otherwise."""
    from odibi_connector_azure.connection import AzureConnection
    from odibi_connector_azure.options import AzureBlobOptions

    made: list[AzureConnection] = []

    def make(name: str = "lake", **options: Any) -> AzureConnection:
        settings: dict[str, Any] = {
            "account_name": AZURITE_ACCOUNT,
            "account_url": azurite["url"],
            "container": container,
            "retry_backoff": 0.05,
        }
        if not {"connection_string", "sas_token", "account_key", "client_secret"} & set(options):
            settings["account_key"] = azurite["key"]
        settings.update(options)
        if "connection_string" in settings:
            settings.pop("account_name")
            settings.pop("account_url")
        connection = AzureConnection(name, AzureBlobOptions.model_validate(settings))
        made.append(connection)
        return connection

    yield make
    for connection in made:
        connection.close()
