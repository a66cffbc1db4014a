"""odibi-state-local passes the shared state backend contract."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from odibi_core.contracts.state import HolderInfo, StateBackend
from odibi_core.testing.state_contract import LeaseExpiryTests, StateBackendContract
from odibi_state_local.backend import LocalStateBackend
from odibi_state_local.locks import SidecarLocks, _open_sidecar, _write_record


class TestLocalStateBackendContract(StateBackendContract, LeaseExpiryTests):
    """The whole contract suite against state files under ``tmp_path``."""

    breaks_live_locks = False  # an OS file lock cannot be taken from a live holder
    lease_seconds = 0  # the OS frees a dead process's lock at once

    @pytest.fixture
    def make_backend(self, tmp_path: Path) -> Iterator[Callable[..., StateBackend]]:
        opened: list[LocalStateBackend] = []

        def factory(store: str = "default", *, run_id: str | None = None,
                    lock_timeout: float = 60.0, history: int = 50) -> StateBackend:
            backend = LocalStateBackend(
                tmp_path / store / ".odibi" / "state.json", project="contract", run_id=run_id,
                lock_timeout=lock_timeout, history_limit=history,
            )
            opened.append(backend)
            return backend

        yield factory
        for backend in opened:
            backend.close()

    def write_raw(self, backend: StateBackend, data: bytes) -> None:
        assert isinstance(backend, LocalStateBackend)
        backend.path.parent.mkdir(parents=True, exist_ok=True)
        backend.path.write_bytes(data)

    def read_raw(self, backend: StateBackend) -> bytes | None:
        assert isinstance(backend, LocalStateBackend)
        return backend.path.read_bytes() if backend.path.exists() else None

    def abandon_lock(self, backend: StateBackend, name: str, *, run_id: str) -> HolderInfo:
        # What SIGKILL leaves behind: the OS drops the lock with the process, the record stays.
        assert isinstance(backend, LocalStateBackend)
        locks = SidecarLocks(backend.path)
        path = locks.path_of(name)
        handle = _open_sidecar(path, backend.location)
        try:
            holder = HolderInfo.current(lock_name=name, run_id=run_id)
            holder.pid = 2**22 + os.getpid()  # a pid that is not this process
            _write_record(handle, holder)
        finally:
            handle.close()
        return holder
