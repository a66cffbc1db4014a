"""The state contract suite runs against an in-memory backend whose locks can be broken.

This keeps the suite honest about being backend-neutral (no files, no OS locks) and exercises the
``breaks_live_locks = True`` branch that lease-based backends take.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest

from odibi_core.contracts.state import DocumentStateBackend, HolderInfo, StateBackend, lock_timeout_error
from odibi_core.errors import LockNotFound, StateError
from odibi_core.testing.state_contract import StateBackendContract


@dataclass
class _Store:
    data: bytes | None = None
    guard: threading.Lock = field(default_factory=threading.Lock)
    holders: dict[str, HolderInfo] = field(default_factory=dict)


class LeaseLikeBackend(DocumentStateBackend):
    """Named locks that live in the store (like leases): anyone may break them."""

    name = "memory"

    def __init__(self, store: _Store, *, run_id: str | None) -> None:
        super().__init__(project="contract", run_id=run_id)
        self.store = store

    @property
    def location(self) -> str:
        return f"memory://{id(self.store)}"

    def _load(self) -> tuple[bytes | None, Any]:
        with self.store.guard:
            return self.store.data, self.store.data

    def _store(self, data: bytes, token: Any) -> None:
        with self.store.guard:
            if self.store.data is not token:
                raise StateError("changed under the lock")
            self.store.data = data

    def take(self, name: str, run_id: str | None, timeout: float) -> HolderInfo:
        deadline = time.monotonic() + timeout
        while True:
            with self.store.guard:
                if name not in self.store.holders:
                    holder = HolderInfo.current(lock_name=name, run_id=run_id)
                    self.store.holders[name] = holder
                    return holder
                current = self.store.holders[name]
            if time.monotonic() >= deadline:
                raise lock_timeout_error(name, location=self.location, waited=timeout, holder=current)
            time.sleep(0.002)

    def lock(self, name: str, *, timeout: float, run_id: str | None = None) -> Any:
        @contextmanager
        def hold() -> Iterator[HolderInfo]:
            holder = self.take(name, run_id or self.run_id, timeout)
            try:
                yield holder
            finally:
                with self.store.guard:
                    if self.store.holders.get(name) is holder:  # unless it was broken meanwhile
                        del self.store.holders[name]
        return hold()

    def holders(self) -> list[HolderInfo]:
        with self.store.guard:
            return list(self.store.holders.values())

    def force_unlock(self, lock_id: str) -> HolderInfo:
        with self.store.guard:
            for name, holder in self.store.holders.items():
                if holder.lock_id == lock_id:
                    del self.store.holders[name]
                    return holder
        raise LockNotFound(f"no lock with id {lock_id} at {self.location}")


class TestLeaseLikeBackendContract(StateBackendContract):
    breaks_live_locks = True

    @pytest.fixture
    def make_backend(self) -> Callable[..., StateBackend]:
        stores: dict[str, _Store] = {}

        def factory(store: str = "default", *, run_id: str | None = None) -> StateBackend:
            return LeaseLikeBackend(stores.setdefault(store, _Store()), run_id=run_id)

        return factory

    def write_raw(self, backend: StateBackend, data: bytes) -> None:
        assert isinstance(backend, LeaseLikeBackend)
        backend.store.data = data

    def read_raw(self, backend: StateBackend) -> bytes | None:
        assert isinstance(backend, LeaseLikeBackend)
        return backend.store.data

    def abandon_lock(self, backend: StateBackend, name: str, *, run_id: str) -> HolderInfo:
        assert isinstance(backend, LeaseLikeBackend)
        return backend.take(name, run_id, timeout=1)  # taken and never released
