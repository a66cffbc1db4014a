"""odibi-state-azure passes the shared state backend contract, against Azurite."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from odibi_core.contracts.state import HolderInfo, StateBackend
from odibi_core.testing.state_contract import (
    LeaseExpiryTests,
    LostLockTests,
    StateBackendContract,
)
from odibi_state_azure.backend import AzureBlobStateBackend
from odibi_state_azure.blobs import PLACEHOLDER_CONTENT_TYPE

pytestmark = pytest.mark.azurite


class TestAzureBlobStateBackendContract(StateBackendContract, LeaseExpiryTests, LostLockTests):
    """The whole contract suite; each store is a blob in a fresh Azurite container."""

    breaks_live_locks = True  # a lease can be broken while its holder lives
    lease_seconds = 15  # make_azure_backend's lease: Azure's shortest

    @pytest.fixture
    def make_backend(self, make_azure_backend: Callable[..., Any]) -> Callable[..., StateBackend]:
        def factory(
            store: str = "default",
            *,
            run_id: str | None = None,
            lock_timeout: float = 60.0,
            history: int = 50,
        ) -> StateBackend:
            return make_azure_backend(
                blob=f"{store}/state.json",
                project="contract",
                run_id=run_id,
                lock_timeout=lock_timeout,
                history_limit=history,
            )

        return factory  # make_azure_backend closes what it opened

    @pytest.fixture(autouse=True)
    def _raw(self, raw_container: Any) -> None:
        self.raw = raw_container

    def write_raw(self, backend: StateBackend, data: bytes) -> None:
        assert isinstance(backend, AzureBlobStateBackend)
        if not self.raw.exists():
            self.raw.create_container()
        self.raw.get_blob_client(backend.blob_name).upload_blob(data, overwrite=True)

    def read_raw(self, backend: StateBackend) -> bytes | None:
        from azure.core.exceptions import ResourceNotFoundError

        assert isinstance(backend, AzureBlobStateBackend)
        try:
            downloader = self.raw.get_blob_client(backend.blob_name).download_blob()
        except ResourceNotFoundError:
            return None
        data = downloader.readall()
        if (
            not data
            and downloader.properties.content_settings.content_type == PLACEHOLDER_CONTENT_TYPE
        ):
            return None  # the empty blob a lease needs before any document was written
        return data

    def abandon_lock(self, backend: StateBackend, name: str, *, run_id: str) -> HolderInfo:
        # What a killed process leaves: a lease nobody renews or releases, holder metadata in place.
        assert isinstance(backend, AzureBlobStateBackend)
        lease = backend._acquire(name, timeout=5, run_id=run_id)
        backend._keeper.discard(lease)
        del backend._held[name]
        return lease.holder
