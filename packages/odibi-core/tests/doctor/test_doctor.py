"""odibi doctor, in process: each part checked on its own, problems as lines, never a crash."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from odibi_core import hookimpl
from odibi_core.contracts.connection import CheckResult, Connection
from odibi_core.contracts.state import DocumentStateBackend, HolderInfo, LoadedDocument
from odibi_core.doctor import FAIL, INFO, OK, WARN, DoctorReport, run_doctor
from odibi_core.errors import StateLockTimeout
from odibi_core.plugins.options import PluginOptions
from odibi_core.plugins.types import ConnectionSpec, DoctorCheck, StateBackendSpec

TOKEN = "doctor-Tok-5hJ8qW"
DOCS: dict[str, bytes] = {}
HELD: dict[str, HolderInfo] = {}
LOCKS: dict[str, threading.Lock] = {}


class ApiOptions(PluginOptions):
    url: str
    token: str
    up: bool = True


class ApiConnection(Connection):
    def __init__(self, options: ApiOptions) -> None:
        self.options = options

    def check(self) -> CheckResult:
        if self.options.up:
            return CheckResult(True, f"{self.options.url} answered")
        return CheckResult(False, f"{self.options.url} refused the connection")


class SharedState(DocumentStateBackend):
    """A state backend whose document and locks are shared by every instance in this process."""

    name = "shared"

    @property
    def location(self) -> str:
        return "shared://test"

    def load_document(self) -> LoadedDocument:
        return LoadedDocument(DOCS.get("doc"), None)

    def store_document(self, data: bytes, token: Any) -> None:
        DOCS["doc"] = data

    @contextlib.contextmanager
    def lock(self, name: str, *, timeout: float, run_id: str | None = None) -> Iterator[HolderInfo]:
        lock = LOCKS.setdefault(name, threading.Lock())
        if not lock.acquire(timeout=timeout):
            raise StateLockTimeout(f"{name} is held")
        HELD[name] = HolderInfo.current(lock_name=name, run_id=run_id)
        try:
            yield HELD[name]
        finally:
            del HELD[name]
            lock.release()

    def holders(self) -> list[HolderInfo]:
        return list(HELD.values())

    def force_unlock(self, lock_id: str) -> HolderInfo:
        raise NotImplementedError


class DoctorTestPlugin:
    checks: list[DoctorCheck] = []

    @hookimpl
    def odibi_connections(self) -> list[ConnectionSpec]:
        return [
            ConnectionSpec(
                "api", lambda options, ctx: ApiConnection(options), ApiOptions, "test API"
            )
        ]

    @hookimpl
    def odibi_state_backends(self) -> list[StateBackendSpec]:
        return [
            StateBackendSpec(
                "shared", lambda options, ctx: SharedState(project=ctx.project_name), None, "test"
            )
        ]

    @hookimpl
    def odibi_doctor_checks(self) -> list[DoctorCheck]:
        return list(self.checks)


PROJECT = """\
project: doc
connections:
  raw: {type: local, base_path: ./data}
  api: {type: api, url: "https://api.example.test", token: "${secret:API_TOKEN}", up: %(up)s}
state: {backend: shared}
pipelines:
  - pipeline: p
    nodes:
      - {name: a, read: {connection: raw, path: a.csv}}
"""


@pytest.fixture
def doctor(
    make_plugin_manager: Callable[..., Any], clean_redaction: None, monkeypatch: pytest.MonkeyPatch
) -> Callable[..., DoctorReport]:
    DOCS.clear()
    HELD.clear()
    DoctorTestPlugin.checks = []
    monkeypatch.delenv("API_TOKEN", raising=False)

    def run(project: str | None = None) -> DoctorReport:
        return run_doctor(
            project,
            plugin_manager=lambda _: make_plugin_manager(("odibi-test", DoctorTestPlugin())),
        )

    return run


def _lines(report: DoctorReport, section: str) -> dict[str, tuple[str, str]]:
    return {
        line.name: (line.status, line.detail) for line in report.lines if line.section == section
    }


def _project(tmp_path: Path, up: bool = True, text: str = PROJECT, inputs: bool = True) -> str:
    (tmp_path / "data").mkdir(exist_ok=True)
    if inputs:
        (tmp_path / "data" / "a.csv").write_text("x\n1\n")
    (tmp_path / "odibi.yaml").write_text(text % {"up": str(up).lower()})
    return str(tmp_path / "odibi.yaml")


def test_without_a_project_only_the_environment_is_checked(
    doctor: Callable[..., DoctorReport], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    report = doctor()
    assert report.ok
    assert _lines(report, "environment")["python"][0] == OK
    assert _lines(report, "environment")["odibi-core"][0] == OK
    assert _lines(report, "plugins")["odibi-test"][0] == OK
    assert _lines(report, "project")["file"][0] == INFO
    assert not _lines(report, "connections")


def test_a_missing_secret_is_named_and_only_costs_the_checks_that_need_it(
    doctor: Callable[..., DoctorReport], tmp_path: Path
) -> None:
    report = doctor(_project(tmp_path))
    assert not report.ok
    status, detail = _lines(report, "secrets")["${secret:API_TOKEN}"]
    assert status == FAIL
    assert "not set" in detail
    assert "odibi.yaml:4 connections.api.token" in detail
    assert _lines(report, "connections")["raw"][0] == OK
    assert _lines(report, "connections")["api"] == (WARN, "not checked: needs ${secret:API_TOKEN}")
    assert _lines(report, "project")["config"][0] == WARN
    assert _lines(report, "state")["backend"][0] == OK  # the state section needs no secret
    assert [p.name for p in report.problems] == ["${secret:API_TOKEN}"]


def test_a_complete_project_checks_every_connection_and_registers_its_secrets(
    doctor: Callable[..., DoctorReport], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from odibi_core.redaction import redact_text

    monkeypatch.setenv("API_TOKEN", TOKEN)
    report = doctor(_project(tmp_path))
    assert report.ok, report.problems
    assert _lines(report, "connections")["api"] == (OK, "(api) https://api.example.test answered")
    assert _lines(report, "secrets")["${secret:API_TOKEN}"][0] == OK
    assert _lines(report, "project")["config"][0] == OK
    assert TOKEN not in str(report.as_dict())
    assert (
        redact_text(f"x {TOKEN} y") == "x [REDACTED] y"
    )  # registered, so any output of it is masked


def test_a_failing_connection_check_is_a_problem(
    doctor: Callable[..., DoctorReport], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("API_TOKEN", TOKEN)
    report = doctor(_project(tmp_path, up=False))
    assert _lines(report, "connections")["api"] == (
        FAIL,
        "(api) https://api.example.test refused the connection",
    )
    assert not report.ok


def test_invalid_connection_options_are_a_problem_not_a_crash(
    doctor: Callable[..., DoctorReport], tmp_path: Path
) -> None:
    text = PROJECT.replace('token: "${secret:API_TOKEN}", ', "")
    report = doctor(_project(tmp_path, text=text))
    status, detail = _lines(report, "connections")["api"]
    assert status == FAIL
    assert "token" in detail


def test_state_reachability_and_held_locks(
    doctor: Callable[..., DoctorReport], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("API_TOKEN", TOKEN)
    project = _project(tmp_path)
    report = doctor(project)
    assert _lines(report, "state")["backend"] == (
        OK,
        "shared at shared://test: reachable, no state written yet",
    )
    assert _lines(report, "state")["locks"] == (OK, "no lock held")
    other = SharedState(project="doc")
    with other.lock("pipeline.p", timeout=1, run_id="run-42"):
        report = doctor(project)
    status, detail = _lines(report, "state")["lock pipeline.p"]
    assert status == WARN
    assert "run run-42" in detail
    assert report.ok  # a held lock may be a running job: a warning, not a failure


def test_unreadable_state_is_a_problem(
    doctor: Callable[..., DoctorReport], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("API_TOKEN", TOKEN)
    DOCS["doc"] = b"{torn"
    report = doctor(_project(tmp_path))
    status, detail = _lines(report, "state")["backend"]
    assert status == FAIL
    assert "not valid JSON" in detail


def test_config_errors_are_reported_with_file_and_line(
    doctor: Callable[..., DoctorReport], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("API_TOKEN", TOKEN)
    report = doctor(_project(tmp_path, text=PROJECT + "workerz: 3\n"))
    status, detail = _lines(report, "project")["config"]
    assert status == FAIL
    assert "odibi.yaml:10" in detail
    assert "did you mean 'workers'" in detail


def test_plugin_lines_are_shown_and_a_failed_one_is_a_problem(
    doctor: Callable[..., DoctorReport], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    report = doctor()
    assert _lines(report, "telemetry")["plugin"][0] == INFO
    DoctorTestPlugin.checks = [
        DoctorCheck("telemetry", "exporter", False, "collector at 127.0.0.1:4317 unreachable")
    ]
    report = doctor()
    assert _lines(report, "telemetry") == {
        "exporter": (FAIL, "collector at 127.0.0.1:4317 unreachable")
    }
    assert not report.ok


def test_a_reports_folder_that_cannot_be_created_is_a_problem(
    doctor: Callable[..., DoctorReport], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("API_TOKEN", TOKEN)
    (tmp_path / "blocked").write_text("a file")
    report = doctor(_project(tmp_path, text=PROJECT + "reports: {path: blocked/stories}\n"))
    status, detail = _lines(report, "reports")["folder"]
    assert status == FAIL
    assert "is a file" in detail


def test_a_missing_project_file_is_a_problem_line(
    doctor: Callable[..., DoctorReport], tmp_path: Path
) -> None:
    report = doctor(str(tmp_path / "nope.yaml"))
    assert _lines(report, "project")["file"][0] == FAIL
    assert _lines(report, "environment")["python"][0] == OK


def test_a_missing_local_input_file_is_a_problem_naming_file_and_line(
    doctor: Callable[..., DoctorReport], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("API_TOKEN", TOKEN)
    report = doctor(_project(tmp_path, inputs=False))
    assert not report.ok
    status, detail = _lines(report, "project")["input raw:a.csv"]
    assert status == FAIL
    assert "odibi.yaml:" in detail
    assert "a.csv does not exist" in detail
    (tmp_path / "data" / "a.csv").write_text("x\n1\n")
    assert _lines(doctor(_project(tmp_path)), "project")["inputs"][0] == OK
