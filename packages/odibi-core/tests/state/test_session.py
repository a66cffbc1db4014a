"""RunRecorder and the state helpers the runner uses."""

from __future__ import annotations

import datetime as dt
import decimal
import json
from collections.abc import Callable
from contextlib import AbstractContextManager, contextmanager
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from odibi_core.config.loader import load_project
from odibi_core.contracts.state import (
    DocumentStateBackend,
    HolderInfo,
    LoadedDocument,
    NodeRecord,
    RunRecord,
    StateDocument,
    lock_timeout_error,
    validated_for_writing,
)
from odibi_core.errors import StateError
from odibi_core.plugins.hookspecs import hookimpl
from odibi_core.plugins.types import StateBackendSpec, StateBuildContext
from odibi_core.state.integrity import parse_state
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


# --- writes validate what changed (contracts.state.validated_for_writing) ---------------------
#
# Run records a write leaves unchanged are not validated again; these tests check that skipping
# them changes nothing a reader could see, and that whatever did change is still refused when
# it is invalid.

STAMP = "2026-12-07T01:00:00+00:00"


def _run(run_id: str, nodes: int = 3, status: str = "success") -> RunRecord:
    return RunRecord(
        run_id=run_id,
        status=status,
        started_at=STAMP,
        finished_at=STAMP,
        nodes={
            f"n{i}": NodeRecord(status="success", rows_out=i, started_at=STAMP, run_id=run_id)
            for i in range(nodes)
        },
    )


def _stored(backend: Any) -> StateDocument:
    assert backend.data is not None
    return parse_state(backend.data, location="memory")


def _add(pipeline: str, run_id: str) -> Any:
    def add(doc: StateDocument) -> None:
        doc.pipeline(pipeline).runs.append(_run(run_id))

    return add


EDITS = st.one_of(
    st.tuples(st.just("add"), st.sampled_from(["p", "q"])),
    st.tuples(st.just("finish"), st.sampled_from(["p", "q"])),
    st.tuples(st.just("interrupt_running"), st.sampled_from(["p", "q"])),
    st.tuples(st.just("retouch_old"), st.integers(0, 6)),
    st.tuples(st.just("mark"), st.sampled_from(["p", "q"])),
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(edits=st.lists(EDITS, min_size=1, max_size=14), history=st.integers(1, 5))
def test_every_write_keeps_exactly_what_a_strict_read_gives(
    edits: list[tuple[str, Any]], history: int
) -> None:
    """Random update sequences (new runs, finished runs, runs marked interrupted, an old record
    changed, marks moved, the history trimmed), compared with the same edits applied to a
    reference document validated whole at every step: after each write the stored bytes hold
    exactly the reference, and the document the backend keeps for its next update and the one
    the update returned equal a strict parse of them, whatever the caller did to the document
    an earlier update returned."""
    backend = MemoryBackend()
    backend.history_limit = history
    reference = StateDocument.new("t")

    def edit(kind: str, arg: Any, step: int) -> Callable[[StateDocument], None]:
        def apply(doc: StateDocument) -> None:
            if kind == "add":
                doc.pipeline(arg).runs.append(_run(f"r{step}", status="running"))
            elif kind == "finish":
                for run in doc.pipeline(arg).runs:
                    if run.status == "running":
                        run.status = "success"
                        run.nodes = {"n0": NodeRecord(status="failed", error="boom")}
            elif kind == "interrupt_running":
                for run in doc.pipeline(arg).runs:
                    if run.status == "running":
                        run.status = "interrupted"
            elif kind == "retouch_old":
                runs = [r for p in doc.pipelines.values() for r in p.runs]
                if runs:
                    runs[arg % len(runs)].user = f"edited{step}"
            else:
                doc.pipeline(arg).nodes["n0"] = NodeRecord(status="success", rows_out=step)

        return apply

    for step, (kind, arg) in enumerate(edits):
        returned = backend.update(edit(kind, arg, step))
        edit(kind, arg, step)(reference)
        for pipeline in reference.pipelines.values():
            del pipeline.runs[: max(0, len(pipeline.runs) - history)]
        reference = StateDocument.model_validate(reference.model_dump())
        stored = _stored(backend)
        kept = backend._written[1] if backend._written else None
        assert kept is not None
        assert stored.pipelines == reference.pipelines
        assert kept.model_dump() == stored.model_dump()
        assert returned.pipelines == stored.pipelines
        for pipeline in returned.pipelines.values():  # the caller scribbles on its document
            for run in pipeline.runs:
                run.status = "failed"
                run.user = "scribbled"
                run.nodes.clear()


def test_a_changed_run_record_is_still_validated_strictly() -> None:
    backend = MemoryBackend()
    for i in range(3):
        backend.update(_add("p", f"r{i}"))
    before = backend.data

    def corrupt(doc: StateDocument) -> None:
        doc.pipeline("p").runs[-1].status = "bogus"  # no validation on assignment

    with pytest.raises(StateError, match="would be invalid"):
        backend.update(corrupt)
    assert backend.data == before  # nothing was written


def test_a_run_id_repeated_between_a_new_and_an_unchanged_record_is_refused() -> None:
    backend = MemoryBackend()
    for i in range(3):
        backend.update(_add("p", f"r{i}"))
    before = backend.data

    with pytest.raises(StateError, match="run id appears twice"):
        backend.update(_add("p", "r0"))
    assert backend.data == before


def test_unchanged_records_are_copied_not_shared_with_the_document_written() -> None:
    doc = StateDocument.new("t")
    doc.pipeline("p").runs.extend([_run("a"), _run("b")])
    data = doc.model_dump(mode="json")
    unchanged = {id(run) for run in data["pipelines"]["p"]["runs"]}

    clean = validated_for_writing(data, doc, unchanged)

    assert clean.model_dump() == StateDocument.model_validate(data).model_dump()
    for new, old in zip(clean.pipelines["p"].runs, doc.pipelines["p"].runs, strict=True):
        assert new is not old
        assert new.nodes is not old.nodes
    clean.pipelines["p"].runs[0].status = "failed"
    clean.pipelines["p"].runs[0].nodes.clear()
    assert doc.pipelines["p"].runs[0].status == "success"
    assert len(doc.pipelines["p"].runs[0].nodes) == 3


def test_a_large_history_written_twice_reads_back_byte_for_byte() -> None:
    """The path the skip is for: a full history, a run started and finished."""
    backend = MemoryBackend()
    backend.update(
        lambda doc: doc.pipeline("p").runs.extend(_run(f"old{i}", 20) for i in range(50))
    )
    backend.history_limit = 50
    backend.update(_add("p", "new"))

    def finish(doc: StateDocument) -> None:
        doc.pipeline("p").runs[-1].status = "failed"

    backend.update(finish)
    stored = _stored(backend)
    assert [r.run_id for r in stored.pipelines["p"].runs] == [f"old{i}" for i in range(1, 50)] + [
        "new"
    ]
    assert stored.pipelines["p"].runs[-1].status == "failed"
    assert json.loads(backend.data or b"")["pipelines"]["p"]["runs"][0]["run_id"] == "old1"


def test_a_document_read_to_hand_over_is_where_the_next_update_starts() -> None:
    earlier, backend = MemoryBackend(), MemoryBackend()  # the previous run, this run
    earlier.update(_add("p", "r0"))
    backend.data = earlier.data
    handed = backend.read_to_hand_over()
    assert handed is not None
    starts: list[StateDocument] = []

    def add(doc: StateDocument) -> None:
        starts.append(doc)
        doc.pipeline("p").runs.append(_run("r1"))

    backend.update(add)
    assert starts[0] is handed  # not validated again...
    assert [r.run_id for r in _stored(backend).pipelines["p"].runs] == [
        "r0",
        "r1",
    ]  # ...same result

    kept = backend.read()  # a plain read stays its caller's
    backend.update(_add("p", "r2"))
    assert kept is not None
    assert [r.run_id for r in kept.pipelines["p"].runs] == ["r0", "r1"]


def test_a_document_handed_over_is_dropped_when_another_writer_stored_since() -> None:
    backend, other = MemoryBackend(), MemoryBackend()
    backend.update(_add("p", "r0"))
    handed = backend.read_to_hand_over()
    other.data = backend.data
    other.update(_add("p", "elsewhere"))  # another process writes in between
    backend.data = other.data
    starts: list[StateDocument] = []
    backend.update(lambda doc: starts.append(doc))
    assert starts[0] is not handed
    assert [r.run_id for r in starts[0].pipelines["p"].runs] == ["r0", "elsewhere"]
