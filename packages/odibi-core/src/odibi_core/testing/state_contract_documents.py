"""Contract tests of reading and writing the state document (part of the state contract)."""

from __future__ import annotations

import json
import threading
import time

import pytest

from odibi_core.contracts.state import (
    STATE_FORMAT_VERSION,
    STATE_LOCK_NAME,
    RunRecord,
    StateBackend,
    StateDocument,
)
from odibi_core.errors import StateConflictError, StateCorruptError, StateLockTimeout
from odibi_core.testing.state_contract_hooks import MakeBackend, StateContractHooks
from odibi_core.testing.state_contract_hooks import bump as _bump
from odibi_core.testing.state_contract_hooks import counter_value as _count


class StateDocumentTests(StateContractHooks):
    """Reading, updating, refusing bad documents, concurrent writers (threads)."""

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

    def test_runs_beyond_the_history_setting_are_dropped_oldest_first(
        self, make_backend: MakeBackend
    ) -> None:
        backend = make_backend(history=3)
        for i in range(5):
            record = RunRecord(
                run_id=f"run-{i}", status="success", started_at="2024-01-01T00:00:00+00:00"
            )

            def add(doc: StateDocument, record: RunRecord = record) -> None:
                doc.pipeline("p").runs.append(record)

            backend.update(add)
        stored = make_backend().read()
        assert stored is not None
        assert [r.run_id for r in stored.pipelines["p"].runs] == ["run-2", "run-3", "run-4"]

    def test_the_lock_timeout_setting_is_how_long_update_waits(
        self, make_backend: MakeBackend
    ) -> None:
        holder, waiter = make_backend(), make_backend(lock_timeout=0.4)
        with holder.lock(STATE_LOCK_NAME, timeout=5, run_id="run-holding"):
            start = time.monotonic()
            with pytest.raises(StateLockTimeout, match="run-holding"):
                waiter.update(_bump)  # no timeout given: the configured one applies
            waited = time.monotonic() - start
        assert 0.4 <= waited < 0.4 + self.timing_slack
        assert self.read_raw(waiter) is None

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
