"""``azure_blob`` and ``azure_adls`` pass the file connection contract suite on Azurite."""

from __future__ import annotations

from typing import Any

import odibi_connector_azure.plugin
import pytest
from odibi_connector_azure.testing import AZURITE_ACCOUNT
from odibi_core.contracts.connection import FileConnection
from odibi_core.testing.connection_contract import (
    FILE_CAPABILITIES,
    ConnectionCommonTests,
    FileConnectionContractTests,
)

pytestmark = pytest.mark.azurite


class TestAzureBlobConnectionContract(FileConnectionContractTests):
    """Every file-connection contract test, in a fresh container (duckdb reads through fsspec)."""

    connection_type = "azure_blob"
    plugin = odibi_connector_azure.plugin
    capabilities = frozenset({"path", "glob", "folder", "fingerprint", "stale_cleanup"})
    write_modes = frozenset({"overwrite", "append", "error"})
    bad_options = (({"retry_backoff": -1}, "retry_backoff"),)

    @pytest.fixture
    def connection_options(
        self, azurite: dict[str, str], container: str, raw: Any
    ) -> dict[str, Any]:
        return {
            "account_name": AZURITE_ACCOUNT,
            "account_url": azurite["url"],
            "account_key": azurite["key"],
            "container": container,
            "base_path": "base",
            "retry_backoff": 0.05,
        }


def test_azure_adls_is_the_same_connection_class_under_its_own_type() -> None:
    """``azure_adls`` only renames ``container`` to ``filesystem``: the suite above covers it."""
    from odibi_connector_azure.connection import AzureAdlsConnection, AzureConnection

    assert issubclass(AzureAdlsConnection, AzureConnection)
    assert {k for k in vars(AzureAdlsConnection) if not k.startswith("_")} == {"type"}


class TestAzureAdlsRegistrationContract(ConnectionCommonTests):
    """``azure_adls``: registration and options (``filesystem`` for ``container``) through the
    suite's common tests; its reads and writes are ``azure_blob``'s, tested above."""

    connection_type = "azure_adls"
    plugin = odibi_connector_azure.plugin
    connection_class = FileConnection
    known_capabilities = FILE_CAPABILITIES
    capabilities = TestAzureBlobConnectionContract.capabilities
    write_modes = TestAzureBlobConnectionContract.write_modes
    project_read = "{connection: source, format: parquet, path: in/one.parquet}"
    bad_options = (({"filesystem": "Not_A_Name"}, "filesystem"),)

    @pytest.fixture
    def connection_options(self, azurite: dict[str, str], container: str) -> dict[str, Any]:
        return {
            "account_name": AZURITE_ACCOUNT,
            "account_url": azurite["url"],
            "account_key": azurite["key"],
            "filesystem": container,
        }
