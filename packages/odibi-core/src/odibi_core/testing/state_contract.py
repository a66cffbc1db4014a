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

            def factory(store="default", *, run_id=None):
                backend = MyStateBackend(tmp_path / store, run_id=run_id)
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
    A factory ``make_backend(store="default", *, run_id=None) -> StateBackend``. Every call
    returns a NEW instance; calls with the same ``store`` name within one test share one store
    (like two processes of one project), a new name gives a brand-new empty store. The fixture
    closes the instances it opened at teardown.
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
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import threading
import time
from collections.abc import Callable
from typing import ClassVar

import pytest

from odibi_core.contracts.state import (
    STATE_FORMAT_VERSION,
    STATE_LOCK_NAME,
    HolderInfo,
    RunRecord,
    StateBackend,
    StateDocument,
    pipeline_lock_name,
)
from odibi_core.errors import (
    OdibiError,
    StateConflictError,
    StateCorruptError,
    StateError,
    StateLockTimeout,
)

MakeBackend = Callable[..., StateBackend]
"""``make_backend(store="default", *, run_id=None) -> StateBackend``."""


def _bump(doc: StateDocument) -> None:
    """The update every counting test applies: one more on the ``counter`` pipeline's mark ``n``."""
    state = doc.pipeline("counter")
    state.high_water_marks["n"] = int(state.high_water_marks.get("n", 0)) + 1


def _count(doc: StateDocument | None) -> int:
    if doc is None or "counter" not in doc.pipelines:
        return 0
    return int(doc.pipelines["counter"].high_water_marks.get("n", 0))


class StateBackendContract:
    """Contract tests for :class:`~odibi_core.contracts.state.StateBackend` implementations.

    See the module docstring for what a subclass provides.
    """

    breaks_live_locks: ClassVar[bool] = False
    """Whether :meth:`~odibi_core.contracts.state.StateBackend.force_unlock` can break a lock whose
    holder is alive. A lease (Azure) can be broken; an OS file lock cannot be taken from a live
    process, so such a backend refuses with an error naming the holder and the lock stays held."""

    timing_slack: ClassVar[float] = 2.0
    """Seconds of slack allowed on top of a lock timeout before the wait counts as too long."""

    # --- hooks a subclass provides ---------------------------------------------------------

    @pytest.fixture
    def make_backend(self) -> MakeBackend:
        """Override: the backend factory described in the module docstring."""
        raise NotImplementedError("subclass StateBackendContract and override the make_backend fixture")

    def write_raw(self, backend: StateBackend, data: bytes) -> None:
        """Override: replace ``backend``'s stored document with ``data``, bypassing the backend."""
        raise NotImplementedError

    def read_raw(self, backend: StateBackend) -> bytes | None:
        """Override: the bytes stored for ``backend`` (``None`` if nothing is stored)."""
        raise NotImplementedError

    def abandon_lock(self, backend: StateBackend, name: str, *, run_id: str) -> HolderInfo:
        """Override: take lock ``name`` as a holder that dies without releasing it; return its info."""
        raise NotImplementedError

    # --- helpers ---------------------------------------------------------------------------

    def stored_document(self, *, lineage: str = "cafe" * 8, serial: int = 1, counter: int = 0) -> bytes:
        """Bytes of a valid document, for planting with :meth:`write_raw`."""
        return make_document_bytes(lineage=lineage, serial=serial, counter=counter)

    # --- reading and writing ---------------------------------------------------------------

    def test_reading_an_empty_store_returns_none(self, make_backend: MakeBackend) -> None:
        backend = make_backend()
        assert backend.read() is None
        assert self.read_raw(backend) is None
        assert isinstance(backend.location, str)
        assert backend.location

    def test_first_update_creates_a_document_with_a_lineage_and_serial_1(
        self, make_backend: MakeBackend
    ) -> None:
        backend = make_backend()
        written = backend.update(_bump)
        assert written.serial == 1
        assert written.version == STATE_FORMAT_VERSION
        assert len(written.lineage) >= 16
        stored = make_backend().read()
        assert stored is not None
        assert (stored.serial, stored.lineage, _count(stored)) == (1, written.lineage, 1)
        raw = self.read_raw(backend)
        assert raw is not None
        assert json.loads(raw)["serial"] == 1

    def test_each_update_increments_the_serial_by_one_and_keeps_the_lineage(
        self, make_backend: MakeBackend
    ) -> None:
        first, second = make_backend(), make_backend()
        lineage = first.update(_bump).lineage
        serials = [(first if i % 2 else second).update(_bump).serial for i in range(6)]
        assert serials == [2, 3, 4, 5, 6, 7]
        stored = make_backend().read()
        assert stored is not None
        assert (stored.lineage, stored.serial, _count(stored)) == (lineage, 7, 7)

    def test_update_continues_from_the_stored_serial(self, make_backend: MakeBackend) -> None:
        backend = make_backend()
        self.write_raw(backend, self.stored_document(serial=41, counter=5))
        written = backend.update(_bump)
        assert (written.serial, written.lineage, _count(written)) == (42, "cafe" * 8, 6)

    def test_update_function_sees_the_current_document(self, make_backend: MakeBackend) -> None:
        make_backend().update(_bump)
        make_backend().update(_bump)
        seen: list[int] = []
        make_backend().update(lambda doc: seen.append(_count(doc)))
        assert seen == [2]

    def test_a_function_that_raises_writes_nothing_and_releases_the_lock(
        self, make_backend: MakeBackend
    ) -> None:
        backend = make_backend()

        def explode(doc: StateDocument) -> None:
            _bump(doc)
            raise RuntimeError("boom")

        with pytest.raises(RuntimeError, match="boom"):
            backend.update(explode)
        assert self.read_raw(backend) is None
        backend.update(_bump)
        before = self.read_raw(backend)
        with pytest.raises(RuntimeError, match="boom"):
            make_backend().update(explode)
        assert self.read_raw(backend) == before
        assert make_backend().update(_bump, timeout=5).serial == 2

    def test_a_function_changing_the_lineage_is_refused(self, make_backend: MakeBackend) -> None:
        backend = make_backend()
        backend.update(_bump)
        before = self.read_raw(backend)

        def hijack(doc: StateDocument) -> None:
            doc.lineage = "f" * 32

        with pytest.raises(StateConflictError):
            make_backend().update(hijack)
        assert self.read_raw(backend) == before

    def test_runs_beyond_the_history_limit_are_dropped_oldest_first(
        self, make_backend: MakeBackend
    ) -> None:
        backend = make_backend()
        limit = getattr(backend, "history_limit", None)
        if limit is None:
            pytest.fail("a DocumentStateBackend-style backend must expose history_limit")
        backend.history_limit = 3  # type: ignore[attr-defined]
        for i in range(5):
            record = RunRecord(run_id=f"run-{i}", status="success", started_at="2024-01-01T00:00:00+00:00")

            def add(doc: StateDocument, record: RunRecord = record) -> None:
                doc.pipeline("p").runs.append(record)

            backend.update(add)
        stored = make_backend().read()
        assert stored is not None
        assert [r.run_id for r in stored.pipelines["p"].runs] == ["run-2", "run-3", "run-4"]

    def test_registered_secrets_never_reach_the_store(self, make_backend: MakeBackend) -> None:
        from odibi_core.redaction import register_secret, reset_registry

        secret = "contract-s3cret-Value-94817"
        reset_registry()
        try:
            register_secret(secret, source="contract test")
            backend = make_backend()
            backend.update(lambda doc: setattr(doc, "project", f"leak {secret} here"))
            raw = self.read_raw(backend)
            assert raw is not None
            assert secret.encode() not in raw
            assert make_backend().read() is not None
        finally:
            reset_registry()

    def test_stores_are_independent(self, make_backend: MakeBackend) -> None:
        make_backend("one").update(_bump)
        assert make_backend("two").read() is None

    # --- refusing bad documents ------------------------------------------------------------

    @pytest.mark.parametrize(
        "data",
        [
            pytest.param(b'{"version": 1, "lineage": "abc", "serial": 3, "pipel', id="torn"),
            pytest.param(b"", id="empty"),
            pytest.param(b"\xff\xfe\x00garbage", id="binary"),
            pytest.param(b'{"hello": "world"}', id="foreign-json"),
            pytest.param(b"[1, 2, 3]", id="json-array"),
            pytest.param(b'{"version": 99, "lineage": "abc", "serial": 3}', id="future-version"),
            pytest.param(b'{"version": 1, "lineage": "abc", "serial": "x"}', id="malformed"),
        ],
    )
    def test_a_bad_document_is_refused_and_left_in_place(
        self, make_backend: MakeBackend, data: bytes
    ) -> None:
        backend = make_backend()
        self.write_raw(backend, data)
        with pytest.raises(StateCorruptError) as read_error:
            backend.read()
        assert backend.location in read_error.value.message
        with pytest.raises(StateCorruptError):
            make_backend().update(_bump)
        assert self.read_raw(backend) == data
        assert read_error.value.exit_code == 6

    def test_a_lineage_change_under_a_reader_is_refused(self, make_backend: MakeBackend) -> None:
        runner = make_backend()
        runner.update(_bump)
        assert runner.read() is not None
        foreign = self.stored_document(lineage="beef" * 8, serial=99)
        self.write_raw(runner, foreign)
        with pytest.raises(StateConflictError):
            runner.update(_bump)
        assert self.read_raw(runner) == foreign
        with pytest.raises(StateConflictError):
            runner.read()

    # --- concurrency ------------------------------------------------------------------------

    def test_concurrent_updates_from_threads_lose_nothing(self, make_backend: MakeBackend) -> None:
        threads_n, per_thread = 4, 15
        backends = [make_backend() for _ in range(threads_n)]
        errors: list[BaseException] = []
        serials_seen: list[int] = []
        stop = threading.Event()
        reader = make_backend()

        def write(backend: StateBackend) -> None:
            try:
                for _ in range(per_thread):
                    backend.update(_bump, timeout=60)
            except BaseException as exc:  # pragma: no cover - reported below
                errors.append(exc)

        def read() -> None:
            try:
                while not stop.is_set():
                    doc = reader.read()
                    if doc is not None:
                        serials_seen.append(doc.serial)
            except BaseException as exc:  # pragma: no cover - reported below
                errors.append(exc)

        workers = [threading.Thread(target=write, args=(b,)) for b in backends]
        poller = threading.Thread(target=read)
        poller.start()
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(120)
        stop.set()
        poller.join(30)
        assert not errors, errors
        final = make_backend().read()
        assert final is not None
        assert (_count(final), final.serial) == (threads_n * per_thread, threads_n * per_thread)
        assert serials_seen == sorted(serials_seen), "a reader saw the serial go down"

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
        holder_backend, waiter = make_backend(run_id="run-holder-7"), make_backend(run_id="run-waiter")
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

    def test_timeout_zero_fails_at_once(self, make_backend: MakeBackend) -> None:
        first, second = make_backend(), make_backend()
        with first.lock("pipeline.p", timeout=5, run_id="run-first"):
            start = time.monotonic()
            with pytest.raises(StateLockTimeout, match="run-first"):
                with second.lock("pipeline.p", timeout=0, run_id="run-second"):
                    pass  # pragma: no cover
            assert time.monotonic() - start < self.timing_slack

    def test_a_waiter_gets_the_lock_when_the_holder_releases_it(self, make_backend: MakeBackend) -> None:
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
            with pytest.raises(StateLockTimeout, match="run-sales"):
                with second.lock(pipeline_lock_name("sales"), timeout=0, run_id="run-other"):
                    pass  # pragma: no cover
        with first.lock(STATE_LOCK_NAME, timeout=5, run_id="run-state"):
            with second.lock(pipeline_lock_name("sales"), timeout=0, run_id="run-sales-2"):
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

    def test_force_unlock_of_an_unknown_lock_id_is_an_error(self, make_backend: MakeBackend) -> None:
        backend = make_backend()
        with pytest.raises(StateError, match="no-such-lock"):
            backend.force_unlock("no-such-lock")

    def test_force_unlock_of_a_live_holder(self, make_backend: MakeBackend) -> None:
        live, other = make_backend(), make_backend()
        stack = contextlib.ExitStack()
        holder = stack.enter_context(live.lock(pipeline_lock_name("p"), timeout=5, run_id="run-live"))
        try:
            if self.breaks_live_locks:
                assert other.force_unlock(holder.lock_id).run_id == "run-live"
                with other.lock(pipeline_lock_name("p"), timeout=0, run_id="run-next"):
                    pass
            else:
                with pytest.raises(OdibiError) as caught:
                    other.force_unlock(holder.lock_id)
                assert str(os.getpid()) in caught.value.message
                with pytest.raises(StateLockTimeout):
                    with other.lock(pipeline_lock_name("p"), timeout=0, run_id="run-next"):
                        pass  # pragma: no cover
        finally:
            with contextlib.suppress(OdibiError):
                stack.close()


def counter_value(doc: StateDocument | None) -> int:
    """The counter the contract tests (and backends' stress tests) increment with :func:`bump`."""
    return _count(doc)


def bump(doc: StateDocument) -> None:
    """Increment the contract counter (an ``update`` function for stress tests and benchmarks)."""
    _bump(doc)


def make_document_bytes(*, lineage: str, serial: int, counter: int = 0, payload: str = "") -> bytes:
    """A valid stored document (for planting and for comparing against what a writer wrote)."""
    doc = StateDocument(lineage=lineage, serial=serial, project="contract")
    doc.pipeline("counter").high_water_marks["n"] = counter
    if payload:
        doc.pipeline("counter").high_water_marks["payload"] = payload
    return doc.to_json().encode("utf-8")


__all__ = ["MakeBackend", "StateBackendContract", "bump", "counter_value", "make_document_bytes"]
