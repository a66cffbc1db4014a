"""RunRecorder and the state helpers the runner uses."""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Callable
from contextlib import AbstractContextManager, contextmanager
from typing import Any

import pytest
from odibi_core.config.loader import load_project
from odibi_core.contracts.state import (
    DocumentStateBackend,
    HolderInfo,
    LoadedDocument,
    RunRecord,
    StateDocument,
    lock_timeout_error,
)
from odibi_core.plugins.hookspecs import hookimpl
from odibi_core.plugins.types import StateBackendSpec, StateBuildContext
from odibi_core.state.session import (
    ENV_LOCK_TIMEOUT,
    MarkUpdate,
    RunRecorder,
    decode_mark,
    effective_lock_timeout,
    encode_mark,
    open_state_backend,
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

    def lock(
        self, name: str, *, timeout: float, run_id: str | None = None
    ) -> AbstractContextManager[HolderInfo]:
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
    recorder.record_start(
        RunRecord(run_id="dead", status="running", started_at="2024-01-01T00:00:00+00:00")
    )
    recorder.record_start(
        RunRecord(run_id="next", status="running", started_at="2024-01-01T00:01:00+00:00")
    )
    doc = backend.read()
    assert doc is not None
    assert [(r.run_id, r.status) for r in doc.pipelines["p"].runs] == [
        ("dead", "interrupted"),
        ("next", "running"),
    ]


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


@pytest.mark.parametrize(
    "value",
    [
        7,
        2.5,
        True,
        "b",
        decimal.Decimal("1.10"),
        dt.date(2024, 1, 2),
        dt.datetime(2024, 1, 2, 3, 4, tzinfo=dt.timezone.utc),
    ],
)
def test_marks_round_trip_with_their_type(value: object) -> None:
    encoded = encode_mark(value)
    assert encoded is not None
    decoded = decode_mark(encoded["type"], encoded["value"])
    assert decoded == value
    assert type(decoded) is type(value)


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


class SealedBackend(MemoryBackend):
    """Records what its factory was given and refuses public attribute changes afterwards."""

    name = "sealed"

    def __init__(self, context: StateBuildContext) -> None:
        super().__init__()
        self.context = context
        self.lock_timeout, self.history_limit = context.lock_timeout, context.history
        self.sealed = True

    def __setattr__(self, key: str, value: Any) -> None:
        if getattr(self, "sealed", False) and not key.startswith("_"):
            raise AssertionError(f"{key} was set on the backend after it was built")
        super().__setattr__(key, value)


class SealedPlugin:
    @hookimpl
    def odibi_state_backends(self) -> list[StateBackendSpec]:
        return [StateBackendSpec("sealed", lambda options, ctx: SealedBackend(ctx), None, "test")]


@pytest.mark.parametrize(
    ("yaml_state", "flag", "expected"),
    [
        ("state: {backend: sealed, lock_timeout: 12, history: 3}\n", None, (12.0, 3)),
        ("state: {backend: sealed}\n", 0.5, (0.5, 50)),
    ],
)
def test_lock_timeout_and_history_reach_a_backend_only_through_its_build_context(
    write_project: Any,
    make_plugin_manager: Any,
    monkeypatch: pytest.MonkeyPatch,
    yaml_state: str,
    flag: float | None,
    expected: tuple[float, int],
) -> None:
    monkeypatch.delenv(ENV_LOCK_TIMEOUT, raising=False)
    pm = make_plugin_manager(("odibi-sealed", SealedPlugin()))
    path = write_project(
        "project: p\nengine: duckdb\nconnections:\n  raw: {type: local, base_path: .}\n"
        + yaml_state
        + "pipelines:\n  - pipeline: x\n    nodes:\n      - name: a\n"
        "        read: {connection: raw, format: csv, path: a.csv}\n",
        files={"a.csv": "one\n1\n"},
    )
    loaded = load_project(path, pm=pm)
    backend = open_state_backend(
        loaded, pm, run_id="run-1", lock_timeout=effective_lock_timeout(loaded, flag)
    )
    assert isinstance(backend, SealedBackend)
    assert isinstance(backend.context, StateBuildContext)
    assert (backend.context.lock_timeout, backend.context.history) == expected
    assert (backend.context.run_id, backend.context.project_name) == ("run-1", "p")
    assert (backend.lock_timeout, backend.history_limit) == expected
