"""Contract tests of named locks (part of the state contract)."""

from __future__ import annotations

import contextlib
import os
import socket
import threading
import time

import pytest

from odibi_core.contracts.state import STATE_LOCK_NAME, HolderInfo, pipeline_lock_name
from odibi_core.errors import LockNotFound, OdibiError, StateLockTimeout
from odibi_core.testing.state_contract_hooks import MakeBackend, StateContractHooks
from odibi_core.testing.state_contract_hooks import bump as _bump
from odibi_core.testing.state_contract_hooks import counter_value as _count


class StateLockTests(StateContractHooks):
    """Holder records, timeouts, independence of named locks, holders(), force_unlock()."""

    # --- locks ------------------------------------------------------------------------------

    def test_lock_yields_this_holders_record(self, make_backend: MakeBackend) -> None:
        backend = make_backend(run_id="run-yield-1")
        with backend.lock("pipeline.p", timeout=5, run_id="run-yield-1") as holder:
            assert isinstance(holder, HolderInfo)
            assert holder.lock_name == "pipeline.p"
            assert holder.run_id == "run-yield-1"
            assert holder.pid == os.getpid()
            assert holder.host == socket.gethostname()
            assert holder.lock_id

    def test_a_held_lock_times_out_naming_its_holder(self, make_backend: MakeBackend) -> None:
        holder_backend, waiter = (
            make_backend(run_id="run-holder-7"),
            make_backend(run_id="run-waiter"),
        )
        with holder_backend.lock(STATE_LOCK_NAME, timeout=5, run_id="run-holder-7") as holder:
            start = time.monotonic()
            with pytest.raises(StateLockTimeout) as caught:
                waiter.update(_bump, timeout=0.5)
            waited = time.monotonic() - start
        assert 0.5 <= waited < 0.5 + self.timing_slack
        message = caught.value.message
        for part in ("run-holder-7", str(os.getpid()), socket.gethostname(), holder.lock_id):
            assert part in message, f"{part!r} missing from {message!r}"
        assert caught.value.exit_code == 5
        assert self.read_raw(waiter) is None

    def test_lock_messages_name_the_backend_by_its_display_name(
        self, make_backend: MakeBackend
    ) -> None:
        first, second = make_backend(), make_backend()
        assert second.name, "set the class attribute name to the state.backend value"
        assert second.name != "state", "set the class attribute name to the state.backend value"
        assert second.describe() == f"{second.name} state at {second.location}"
        with (
            first.lock("pipeline.p", timeout=5, run_id="run-first"),
            pytest.raises(StateLockTimeout) as caught,
            second.lock("pipeline.p", timeout=0, run_id="run-second"),
        ):
            pass  # pragma: no cover
        assert f"on {second.name} state at " in caught.value.message

    def test_timeout_zero_fails_at_once(self, make_backend: MakeBackend) -> None:
        first, second = make_backend(), make_backend()
        with first.lock("pipeline.p", timeout=5, run_id="run-first"):
            start = time.monotonic()
            with (
                pytest.raises(StateLockTimeout, match="run-first"),
                second.lock("pipeline.p", timeout=0, run_id="run-second"),
            ):
                pass  # pragma: no cover
            assert time.monotonic() - start < self.timing_slack

    def test_a_waiter_gets_the_lock_when_the_holder_releases_it(
        self, make_backend: MakeBackend
    ) -> None:
        first, second = make_backend(), make_backend()
        entered = threading.Event()
        release = threading.Event()

        def hold() -> None:
            with first.lock("pipeline.p", timeout=5, run_id="run-first"):
                entered.set()
                release.wait(10)

        thread = threading.Thread(target=hold)
        thread.start()
        assert entered.wait(10)
        timer = threading.Timer(0.3, release.set)
        timer.start()
        start = time.monotonic()
        with second.lock("pipeline.p", timeout=10, run_id="run-second") as holder:
            waited = time.monotonic() - start
            assert holder.run_id == "run-second"
        thread.join(10)
        assert 0.2 <= waited < 0.3 + self.timing_slack

    def test_a_lock_is_released_when_its_block_raises(self, make_backend: MakeBackend) -> None:
        first, second = make_backend(), make_backend()
        with pytest.raises(KeyError), first.lock("pipeline.p", timeout=5, run_id="run-first"):
            raise KeyError("inside")
        with second.lock("pipeline.p", timeout=0, run_id="run-second"):
            pass

    def test_named_locks_are_independent(self, make_backend: MakeBackend) -> None:
        first, second = make_backend(), make_backend()
        with first.lock(pipeline_lock_name("sales"), timeout=5, run_id="run-sales"):
            with second.lock(pipeline_lock_name("stock"), timeout=0, run_id="run-stock"):
                assert second.update(_bump, timeout=0.5).serial == 1  # state lock is free too
            with (
                pytest.raises(StateLockTimeout, match="run-sales"),
                second.lock(pipeline_lock_name("sales"), timeout=0, run_id="run-other"),
            ):
                pass  # pragma: no cover
        with (
            first.lock(STATE_LOCK_NAME, timeout=5, run_id="run-state"),
            second.lock(pipeline_lock_name("sales"), timeout=0, run_id="run-sales-2"),
        ):
            pass

    def test_a_pipeline_lock_holder_can_update_state(self, make_backend: MakeBackend) -> None:
        backend = make_backend(run_id="run-1")
        with backend.lock(pipeline_lock_name("p"), timeout=5, run_id="run-1"):
            backend.update(_bump, timeout=5)
            backend.update(_bump, timeout=5)
        assert _count(make_backend().read()) == 2

    def test_holders_lists_held_locks_only(self, make_backend: MakeBackend) -> None:
        first, observer = make_backend(), make_backend()
        assert observer.holders() == []
        with first.lock(pipeline_lock_name("p"), timeout=5, run_id="run-listed") as holder:
            listed = observer.holders()
            assert [(h.lock_id, h.lock_name, h.run_id, h.pid, h.host) for h in listed] == [
                (holder.lock_id, "pipeline.p", "run-listed", os.getpid(), socket.gethostname())
            ]
        assert observer.holders() == []

    def test_force_unlock_frees_a_lock_whose_holder_died(self, make_backend: MakeBackend) -> None:
        dead, rescuer = make_backend(), make_backend()
        abandoned = self.abandon_lock(dead, pipeline_lock_name("p"), run_id="run-dead")
        assert abandoned.run_id == "run-dead"
        broken = rescuer.force_unlock(abandoned.lock_id)
        assert (broken.lock_id, broken.run_id) == (abandoned.lock_id, "run-dead")
        with rescuer.lock(pipeline_lock_name("p"), timeout=0, run_id="run-next"):
            assert [h.run_id for h in rescuer.holders()] == ["run-next"]

    def test_force_unlock_of_an_unknown_lock_id_is_a_usage_error(
        self, make_backend: MakeBackend
    ) -> None:
        backend = make_backend()
        with pytest.raises(LockNotFound, match="no-such-lock") as caught:
            backend.force_unlock("no-such-lock")
        assert caught.value.exit_code == 2

    def test_force_unlock_of_a_live_holder(self, make_backend: MakeBackend) -> None:
        live, other = make_backend(), make_backend()
        stack = contextlib.ExitStack()
        holder = stack.enter_context(
            live.lock(pipeline_lock_name("p"), timeout=5, run_id="run-live")
        )
        try:
            if self.breaks_live_locks:
                assert other.force_unlock(holder.lock_id).run_id == "run-live"
                with other.lock(pipeline_lock_name("p"), timeout=0, run_id="run-next"):
                    pass
            else:
                with pytest.raises(OdibiError) as caught:
                    other.force_unlock(holder.lock_id)
                assert str(os.getpid()) in caught.value.message
                with (
                    pytest.raises(StateLockTimeout),
                    other.lock(pipeline_lock_name("p"), timeout=0, run_id="run-next"),
                ):
                    pass  # pragma: no cover
        finally:
            with contextlib.suppress(OdibiError):
                stack.close()
