"""Reports with a state backend: written after the run is recorded, and even when recording
fails."""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from odibi_core import hookimpl
from odibi_core.config.loader import load_project
from odibi_core.contracts.state import (
    DocumentStateBackend,
    HolderInfo,
    LoadedDocument,
    StateDocument,
)
from odibi_core.errors import StateConflictError, StateLockTimeout
from odibi_core.execution.runner import run_project
from odibi_core.plugins.types import StateBackendSpec

STORE: dict[str, bytes | None] = {}


class MemoryState(DocumentStateBackend):
    """A complete state backend keeping its document in this process (one per project folder)."""

    name = "memory"
    fail_finish = False

    def __init__(self, key: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.key = key
        self._locks: dict[str, threading.Lock] = {}
        self._held: dict[str, HolderInfo] = {}

    @property
    def location(self) -> str:
        return f"memory:{self.key}"

    def load_document(self) -> LoadedDocument:
        return LoadedDocument(STORE.get(self.key), None)

    def store_document(self, data: bytes, token: Any) -> None:
        if MemoryState.fail_finish and b'"status": "success"' in data:
            raise StateConflictError("simulated lost race on the final write")
        STORE[self.key] = data

    @contextlib.contextmanager
    def lock(self, name: str, *, timeout: float, run_id: str | None = None) -> Iterator[HolderInfo]:
        lock = self._locks.setdefault(name, threading.Lock())
        if not lock.acquire(timeout=timeout):
            raise StateLockTimeout(f"{name} held")
        holder = HolderInfo.current(lock_name=name, run_id=run_id)
        self._held[name] = holder
        try:
            yield holder
        finally:
            del self._held[name]
            lock.release()

    def holders(self) -> list[HolderInfo]:
        return list(self._held.values())

    def force_unlock(self, lock_id: str) -> HolderInfo:
        raise NotImplementedError


class MemoryStatePlugin:
    @hookimpl
    def odibi_state_backends(self) -> list[StateBackendSpec]:
        return [
            StateBackendSpec(
                "memory",
                lambda options, ctx: MemoryState(
                    str(ctx.project_dir), project=ctx.project_name, run_id=ctx.run_id
                ),
                None,
                "test state",
            )
        ]


@pytest.fixture
def with_state(make_plugin_manager: Callable[..., Any]) -> Iterator[Any]:
    STORE.clear()
    MemoryState.fail_finish = False
    yield make_plugin_manager(("odibi-state-memory", MemoryStatePlugin()))
    MemoryState.fail_finish = False


def test_report_names_the_state_backend_and_state_records_the_run(
    shop: Callable[..., Path], with_state: Any
) -> None:
    project_file = shop(extra_yaml="state: {backend: memory}\n", failing=False)
    project = load_project(project_file, pm=with_state)
    [result] = run_project(project, with_state)
    [report] = (project_file.parent / ".odibi/reports/daily").glob("*.json")
    data = json.loads(report.read_text())
    assert data["state_backend"] == "memory"
    assert data["run_id"] == result.run_id
    assert {
        "name": "odibi-state-memory",
        "distribution": "odibi-state-memory",
        "version": "test",
        "status": "active",
    } in data["versions"]["plugins"]
    doc = StateDocument.model_validate_json(STORE[str(project_file.parent)] or b"")
    assert [r.status for r in doc.pipelines["daily"].runs] == ["success"]


def test_a_run_whose_recording_fails_still_leaves_its_report(
    shop: Callable[..., Path], with_state: Any
) -> None:
    project_file = shop(extra_yaml="state: {backend: memory}\n", failing=False)
    project = load_project(project_file, pm=with_state)
    MemoryState.fail_finish = True
    with pytest.raises(StateConflictError):
        run_project(project, with_state)
    [report] = (project_file.parent / ".odibi/reports/daily").glob("*.json")
    assert json.loads(report.read_text())["status"] == "success"


def test_reports_without_state_say_so(
    shop: Callable[..., Path], run_shop: Callable[..., list[Any]]
) -> None:
    project_file = shop(failing=False)
    run_shop(project_file)
    [report] = (project_file.parent / ".odibi/reports/daily").glob("*.json")
    assert json.loads(report.read_text())["state_backend"] is None
