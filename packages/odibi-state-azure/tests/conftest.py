"""Fixtures of the odibi-state-azure tests: Azurite settings, a container per test, raw SDK access.

Azurite is started by ``scripts/services.sh start`` (which writes ``.services/env``); a test that
needs it fails with a clear message when it is not running, it is never skipped.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from odibi_core.testing.services import service_variables

AZURITE_VARS = (
    "ODIBI_TEST_AZURITE_BLOB_URL",
    "ODIBI_TEST_AZURITE_CONNECTION_STRING",
    "ODIBI_TEST_AZURITE_ACCOUNT_NAME",
    "ODIBI_TEST_AZURITE_ACCOUNT_KEY",
)


@pytest.fixture(scope="session")
def azurite() -> dict[str, str]:
    """``ODIBI_TEST_AZURITE_*`` settings from the environment or ``.services/env``."""
    found = service_variables("ODIBI_TEST_AZURITE_")
    missing = [name for name in AZURITE_VARS if not found.get(name)]
    if missing:
        pytest.fail(
            f"{', '.join(missing)} not set: these tests need Azurite. Start it with "
            "`scripts/services.sh start` (it writes .services/env), or run `scripts/test.sh`.",
            pytrace=False,
        )
    return found


@pytest.fixture
def container(azurite: dict[str, str]) -> Iterator[str]:
    """A fresh container name for this test (not created: the backend creates it), deleted after."""
    from azure.storage.blob import BlobServiceClient

    name = f"t-{uuid.uuid4().hex[:20]}"
    yield name
    conn = azurite["ODIBI_TEST_AZURITE_CONNECTION_STRING"]
    with BlobServiceClient.from_connection_string(conn) as svc, contextlib.suppress(Exception):
        svc.delete_container(name)


@pytest.fixture
def raw_container(azurite: dict[str, str], container: str) -> Iterator[Any]:
    """A raw SDK ``ContainerClient`` on the test's container (what a foreign writer would use)."""
    from azure.storage.blob import BlobServiceClient

    with BlobServiceClient.from_connection_string(
        azurite["ODIBI_TEST_AZURITE_CONNECTION_STRING"]
    ) as svc:
        yield svc.get_container_client(container)


@pytest.fixture
def make_azure_backend(azurite: dict[str, str], container: str) -> Iterator[Callable[..., Any]]:
    """Factory of backends on the test's container.

    ``make_azure_backend(project=..., run_id=..., lock_timeout=..., history_limit=...,
    **options)``; options default to the connection string and a 15 s lease.
    """
    from odibi_state_azure.backend import AzureBlobStateBackend
    from odibi_state_azure.options import AzureBlobStateOptions

    opened: list[AzureBlobStateBackend] = []

    def factory(
        *,
        project: str = "proj",
        run_id: str | None = None,
        lock_timeout: float = 60.0,
        history_limit: int = 50,
        **options: Any,
    ) -> AzureBlobStateBackend:
        settings: dict[str, Any] = {"container": container, "lease_duration": 15}
        if "account_url" not in options:
            settings["connection_string"] = azurite["ODIBI_TEST_AZURITE_CONNECTION_STRING"]
        settings.update(options)
        backend = AzureBlobStateBackend.from_options(
            AzureBlobStateOptions.model_validate(settings),
            project=project,
            run_id=run_id,
            lock_timeout=lock_timeout,
            history_limit=history_limit,
        )
        opened.append(backend)
        return backend

    yield factory
    for backend in opened:
        backend.close()
