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
from odibi_core.contracts.state import (
    DocumentStateBackend,
    HolderInfo,
    LoadedDocument,
    StateBackend,
    lock_timeout_error,
)
from odibi_core.errors import LockNotFound, StateConflictError, StateLockLost
from odibi_core.testing.state_contract import (
    LeaseExpiryTests,
    LostLockTests,
    StateBackendContract,
)

LEASE_SECONDS = 0.5
"""How long a lock abandoned by a dead holder stays held in the in-memory store."""


@dataclass
class _Store:
    data: bytes | None = None
    guard: threading.Lock = field(default_factory=threading.Lock)
    holders: dict[str, HolderInfo] = field(default_factory=dict)
    expires: dict[str, float] = field(default_factory=dict)  # lock -> end of an abandoned lease


class LeaseLikeBackend(DocumentStateBackend):
    """Named locks that live in the store (like leases): anyone may break them."""

    name = "memory"

    def __init__(self, store: _Store, *, run_id: str | None, lock_timeout: float = 60.0,
                 history: int = 50) -> None:
        super().__init__(project="contract", run_id=run_id, lock_timeout=lock_timeout,
                         history_limit=history)
        self.store = store
        self.held: dict[str, HolderInfo] = {}  # locks this instance holds now

    @property
    def location(self) -> str:
        return f"memory://{id(self.store)}"

    def load_document(self) -> LoadedDocument:
        with self.store.guard:
            return LoadedDocument(self.store.data, self.store.data)

    def store_document(self, data: bytes, token: Any) -> None:
        with self.store.guard:
            for name, mine in self.held.items():
                if self.store.holders.get(name) is not mine:
                    raise StateLockLost(f"lost lock {name} ({mine.lock_id}); nothing was written")
            if self.store.data is not token:
                raise StateConflictError("changed under the lock")
            self.store.data = data

    def take(self, name: str, run_id: str | None, timeout: float) -> HolderInfo:
        deadline = time.monotonic() + timeout
        while True:
            with self.store.guard:
                if self.store.expires.get(name, float("inf")) <= time.monotonic():
                    del self.store.holders[name], self.store.expires[name]  # lease ran out
                if name not in self.store.holders:
                    holder = HolderInfo.current(lock_name=name, run_id=run_id)
                    self.store.holders[name] = holder
                    return holder
                current = self.store.holders[name]
            if time.monotonic() >= deadline:
                raise lock_timeout_error(name, location=self.location, waited=timeout,
                                         holder=current, backend=self.name)
            time.sleep(0.002)

    def lock(self, name: str, *, timeout: float, run_id: str | None = None) -> Any:
        @contextmanager
        def hold() -> Iterator[HolderInfo]:
            holder = self.take(name, run_id or self.run_id, timeout)
            self.held[name] = holder
            try:
                yield holder
            finally:
                del self.held[name]
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
                    self.store.expires.pop(name, None)
                    return holder
        raise LockNotFound(f"no lock with id {lock_id} at {self.location}")


class TestLeaseLikeBackendContract(StateBackendContract, LeaseExpiryTests, LostLockTests):
    breaks_live_locks = True
    lease_seconds = LEASE_SECONDS
    timing_slack = 0.3

    @pytest.fixture
    def make_backend(self) -> Callable[..., StateBackend]:
        stores: dict[str, _Store] = {}

        def factory(store: str = "default", *, run_id: str | None = None,
                    lock_timeout: float = 60.0, history: int = 50) -> StateBackend:
            return LeaseLikeBackend(stores.setdefault(store, _Store()), run_id=run_id,
                                    lock_timeout=lock_timeout, history=history)

        return factory

    def write_raw(self, backend: StateBackend, data: bytes) -> None:
        assert isinstance(backend, LeaseLikeBackend)
        backend.store.data = data

    def read_raw(self, backend: StateBackend) -> bytes | None:
        assert isinstance(backend, LeaseLikeBackend)
        return backend.store.data

    def abandon_lock(self, backend: StateBackend, name: str, *, run_id: str) -> HolderInfo:
        assert isinstance(backend, LeaseLikeBackend)
        holder = backend.take(name, run_id, timeout=1)  # taken and never released or renewed
        backend.store.expires[name] = time.monotonic() + LEASE_SECONDS
        return holder
