"""RunRecorder and the state helpers the runner uses."""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Callable
from contextlib import AbstractContextManager, contextmanager
from typing import Any

import pytest
from odibi_core.contracts.state import (
    DocumentStateBackend,
    HolderInfo,
    LoadedDocument,
    RunRecord,
    StateDocument,
    lock_timeout_error,
)
from odibi_core.state.session import (
    MarkUpdate,
    RunRecorder,
    decode_mark,
    effective_lock_timeout,
    encode_mark,
)


class MemoryBackend(DocumentStateBackend):
    """A single-process backend for kernel tests (no real locking)."""

    name = "memory"

    def __init__(self) -> None:
        super().__init__(project="t")
        self.data: bytes | None = None
        self.held: set[str] = set()

    @property
    def location(self) -> str:
        return "memory"

    def load_document(self) -> LoadedDocument:
        return LoadedDocument(self.data, self.data)

    def store_document(self, data: bytes, token: Any) -> None:
        assert token == self.data
        self.data = data

    def lock(self, name: str, *, timeout: float, run_id: str | None = None) -> AbstractContextManager[HolderInfo]:
        @contextmanager
        def hold() -> Any:
            if name in self.held:
                raise lock_timeout_error(name, location=self.location, waited=timeout, holder=None)
            self.held.add(name)
            try:
                yield HolderInfo.current(lock_name=name, run_id=run_id)
            finally:
                self.held.discard(name)
        return hold()

    def holders(self) -> list[HolderInfo]:
        return []

    def force_unlock(self, lock_id: str) -> HolderInfo:
        raise NotImplementedError


def test_a_new_run_marks_runs_left_running_as_interrupted() -> None:
    backend = MemoryBackend()
    recorder = RunRecorder(backend, "p", lock_timeout=1)
    recorder.record_start(RunRecord(run_id="dead", status="running", started_at="2024-01-01T00:00:00+00:00"))
    recorder.record_start(RunRecord(run_id="next", status="running", started_at="2024-01-01T00:01:00+00:00"))
    doc = backend.read()
    assert doc is not None
    assert [(r.run_id, r.status) for r in doc.pipelines["p"].runs] == [("dead", "interrupted"), ("next", "running")]


def test_record_mark_stores_an_encoded_mark_that_run_lock_reads_back() -> None:
    backend = MemoryBackend()
    when = dt.datetime(2024, 1, 2, 3, 4, 5)
    recorder = RunRecorder(backend, "p", lock_timeout=1)
    recorder.record_mark("events", MarkUpdate("lake:e.parquet", when), "run-1")
    recorder = RunRecorder(backend, "p", lock_timeout=1)
    with recorder.run_lock("run-2", wait=True):
        assert recorder.high_water_mark("events", "lake:e.parquet") == when
        assert recorder.high_water_mark("events", "lake:moved.parquet") is None  # another target
    assert "pipeline.p" not in backend.held


def test_marks_are_kept_per_environment() -> None:
    backend = MemoryBackend()
    dev_run = RunRecorder(backend, "p", lock_timeout=1, environment="dev")
    dev_run.record_mark("events", MarkUpdate("t", 41))
    prod = RunRecorder(backend, "p", lock_timeout=1, environment="prod")
    dev = RunRecorder(backend, "p", lock_timeout=1, environment="dev")
    default = RunRecorder(backend, "p", lock_timeout=1)
    for recorder in (prod, dev, default):
        recorder.load_previous()
    assert (prod.high_water_mark("events", "t"), dev.high_water_mark("events", "t")) == (None, 41)
    assert default.high_water_mark("events", "t") is None


@pytest.mark.parametrize("value", [7, 2.5, True, "b", decimal.Decimal("1.10"), dt.date(2024, 1, 2),
                                   dt.datetime(2024, 1, 2, 3, 4, tzinfo=dt.timezone.utc)])
def test_marks_round_trip_with_their_type(value: object) -> None:
    encoded = encode_mark(value)
    assert encoded is not None
    decoded = decode_mark(encoded["type"], encoded["value"])
    assert decoded == value and type(decoded) is type(value)


def test_lock_timeout_precedence(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ODIBI_LOCK_TIMEOUT", raising=False)
    assert effective_lock_timeout(None, None) == 60.0
    monkeypatch.setenv("ODIBI_LOCK_TIMEOUT", "7")
    assert effective_lock_timeout(None, None) == 7.0
    assert effective_lock_timeout(None, 2.0) == 2.0


def test_update_functions_see_one_document_and_serial_grows() -> None:
    backend = MemoryBackend()
    seen: list[int] = []
    bump: Callable[[StateDocument], None] = lambda doc: seen.append(doc.serial)  # noqa: E731
    for _ in range(3):
        backend.update(bump)
    assert seen == [0, 1, 2]
    assert backend.read().serial == 3  # type: ignore[union-attr]
