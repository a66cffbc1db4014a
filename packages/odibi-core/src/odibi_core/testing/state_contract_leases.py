"""Opt-in contract tests for locks that free themselves or can be lost (part of the state contract).

Not every backend can promise these, so they are not in
:class:`~odibi_core.testing.state_contract.StateBackendContract`. A backend that makes a promise
says so by adding the class to its test class's bases (nothing is skipped silently: a test either
is part of a backend's suite, or the backend does not claim the behaviour)::

    class TestMyBackend(StateBackendContract, LeaseExpiryTests, LostLockTests):
        lease_seconds = 15          # LeaseExpiryTests: how long an abandoned lock stays held
        breaks_live_locks = True    # LostLockTests needs it

:class:`LeaseExpiryTests`
    A lock whose holder died (:meth:`~StateContractHooks.abandon_lock`) frees itself within
    :attr:`LeaseExpiryTests.lease_seconds`, with no ``odibi state unlock``. An OS file lock
    (``local``) frees at once (``lease_seconds = 0``); a blob lease after its duration.
:class:`LostLockTests`
    When a live holder's lock is broken (``force_unlock``) and taken by another run, the first
    holder's next state write raises :class:`~odibi_core.errors.StateLockLost` and writes nothing.
    Only backends that can break a live lock (``breaks_live_locks = True``) can promise it.
"""

from __future__ import annotations

import time
from typing import ClassVar

import pytest

from odibi_core.contracts.state import pipeline_lock_name
from odibi_core.errors import StateLockLost, StateLockTimeout
from odibi_core.testing.state_contract_hooks import MakeBackend, StateContractHooks
from odibi_core.testing.state_contract_hooks import bump as _bump
from odibi_core.testing.state_contract_hooks import counter_value as _count


class LeaseExpiryTests(StateContractHooks):
    """An abandoned lock frees itself after its lease. Set :attr:`lease_seconds`."""

    lease_seconds: ClassVar[float]
    """Seconds after which a lock abandoned by a dead holder is free again (``0``: at once).
    Keep it short in tests (Azure's shortest lease is 15 s); the test waits about this long."""

    def test_an_abandoned_lock_frees_itself_after_its_lease(
        self, make_backend: MakeBackend
    ) -> None:
        lease = self.lease_seconds
        dead, waiter = make_backend(), make_backend()
        name = pipeline_lock_name("expiring")
        self.abandon_lock(dead, name, run_id="run-dead")
        start = time.monotonic()
        if lease > self.timing_slack:  # still held right after its holder died
            with (
                pytest.raises(StateLockTimeout, match="run-dead"),
                waiter.lock(name, timeout=0, run_id="run-early"),
            ):
                pass  # pragma: no cover
        with waiter.lock(name, timeout=lease + self.timing_slack, run_id="run-next") as holder:
            waited = time.monotonic() - start
            assert holder.run_id == "run-next"
            assert [h.run_id for h in waiter.holders() if h.lock_name == name] == ["run-next"]
        assert waited >= lease - self.timing_slack, f"freed after {waited:.1f}s of a {lease}s lease"


class LostLockTests(StateContractHooks):
    """A broken live lock stops its holder's next write (needs ``breaks_live_locks = True``)."""

    def test_a_broken_live_lock_stops_the_holders_next_write(
        self, make_backend: MakeBackend
    ) -> None:
        assert self.breaks_live_locks, "LostLockTests needs a backend that can break a live lock"
        name = pipeline_lock_name("lost")
        first, second = make_backend(run_id="run-first"), make_backend(run_id="run-second")
        with first.lock(name, timeout=5, run_id="run-first") as holder:
            first.update(_bump, timeout=5)
            before = self.read_raw(first)
            assert second.force_unlock(holder.lock_id).lock_id == holder.lock_id
            with second.lock(name, timeout=0, run_id="run-second"):
                with pytest.raises(StateLockLost, match=holder.lock_id):
                    first.update(_bump, timeout=5)
                assert self.read_raw(first) == before
                assert second.update(_bump, timeout=5).serial == 2
        stored = make_backend().read()
        assert stored is not None
        assert (stored.serial, _count(stored)) == (2, 2)


__all__ = ["LeaseExpiryTests", "LostLockTests"]
