"""The contract test suite every state backend passes.

Subclass :class:`StateBackendContract` in your backend's tests, provide the ``make_backend``
fixture and the three store hooks, and pytest runs every contract test against your backend::

    import pytest
    from odibi_core.testing.state_contract import StateBackendContract
    from my_state.backend import MyStateBackend

    class TestMyStateBackend(StateBackendContract):
        @pytest.fixture
        def make_backend(self, tmp_path):
            opened = []

            def factory(store="default", *, run_id=None, lock_timeout=60.0, history=50):
                backend = MyStateBackend(tmp_path / store, run_id=run_id,
                                         lock_timeout=lock_timeout, history_limit=history)
                opened.append(backend)
                return backend

            yield factory
            for backend in opened:
                backend.close()

        def write_raw(self, backend, data):
            backend.path.write_bytes(data)

        def read_raw(self, backend):
            return backend.path.read_bytes() if backend.path.exists() else None

        def abandon_lock(self, backend, name, *, run_id):
            ...  # take the lock as a holder that dies without releasing it

The suite stays backend-neutral: it simulates two runners with two backend instances on one
store (and threads), never with OS processes, so it runs unchanged against a file, a blob
emulator or a database. Cross-process guarantees (SIGKILL, many processes) are each backend's
own end-to-end tests.

What a subclass provides:

``make_backend`` (fixture)
    A factory ``make_backend(store="default", *, run_id=None, lock_timeout=60.0, history=50)
    -> StateBackend``. Every call returns a NEW instance; calls with the same ``store`` name
    within one test share one store (like two processes of one project), a new name gives a
    brand-new empty store. ``lock_timeout`` and ``history`` are what the kernel passes in the
    :class:`~odibi_core.plugins.types.StateBuildContext` (build the backend with them, as the
    registered factory does). The fixture closes the instances it opened at teardown.
:meth:`StateBackendContract.write_raw`
    Replace the stored document with raw bytes, bypassing the backend (to plant torn, foreign or
    hand-made documents).
:meth:`StateBackendContract.read_raw`
    The stored bytes (``None`` if nothing is stored), to check a refused document was left alone.
:meth:`StateBackendContract.abandon_lock`
    Take a named lock as a holder that dies without releasing it (a killed process). For an OS
    file lock: acquire, then drop the handle leaving the holder record behind; for a lease:
    acquire and stop renewing.

Class attributes a subclass may set: :attr:`StateBackendContract.breaks_live_locks` and
:attr:`StateBackendContract.timing_slack`.

Opt-in tests (:mod:`odibi_core.testing.state_contract_leases`): a backend whose abandoned locks
free themselves adds :class:`~odibi_core.testing.state_contract_leases.LeaseExpiryTests` to its
bases (with ``lease_seconds``); one that can break a live lock adds
:class:`~odibi_core.testing.state_contract_leases.LostLockTests`.
"""

from __future__ import annotations

from odibi_core.testing.state_contract_documents import StateDocumentTests
from odibi_core.testing.state_contract_hooks import (
    MakeBackend,
    StateContractHooks,
    bump,
    contract_marks,
    counter_value,
    make_document_bytes,
    payload_value,
    set_payload,
)
from odibi_core.testing.state_contract_integrity import StateIntegrityTests
from odibi_core.testing.state_contract_leases import LeaseExpiryTests, LostLockTests
from odibi_core.testing.state_contract_locks import StateLockTests


class StateBackendContract(StateDocumentTests, StateIntegrityTests, StateLockTests):
    """Contract tests for :class:`~odibi_core.contracts.state.StateBackend` implementations.

    Subclass it (see the module docstring for what to provide). The tests live in
    :class:`~odibi_core.testing.state_contract_documents.StateDocumentTests`,
    :class:`~odibi_core.testing.state_contract_integrity.StateIntegrityTests` and
    :class:`~odibi_core.testing.state_contract_locks.StateLockTests`; the hooks in
    :class:`~odibi_core.testing.state_contract_hooks.StateContractHooks`.
    """


__all__ = [
    "LeaseExpiryTests",
    "LostLockTests",
    "MakeBackend",
    "StateBackendContract",
    "StateContractHooks",
    "bump",
    "contract_marks",
    "counter_value",
    "make_document_bytes",
    "payload_value",
    "set_payload",
]
