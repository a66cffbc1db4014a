"""Run locks through the real CLI: timeouts naming the holder, --no-wait, concurrent runs."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from odibi_core.testing.cli import run_odibi
from odibi_core.testing.state_files import pipeline_document_path

WORKER = Path(__file__).with_name("state_worker.py")

PROJECT = """
project: locks
connections:
  raw: {type: local, base_path: ./data}
  lake: {type: local, base_path: ./lake}
state:
  backend: local
  lock_timeout: %(yaml_timeout)s
pipelines:
  - pipeline: alpha
    nodes:
      - name: numbers
        read: {connection: raw, path: numbers.csv}
        transform:
          steps:
            - function: pause
              params: {seconds: %(pause)s}
        write: {connection: lake, path: alpha.parquet}
  - pipeline: beta
    nodes:
      - name: numbers
        read: {connection: raw, path: numbers.csv}
        transform:
          steps:
            - function: pause
              params: {seconds: %(pause)s}
        write: {connection: lake, path: beta.parquet}
"""

TRANSFORMS = '''
import time

from odibi_core import transform


@transform(frame="arrow")
def pause(table, seconds: float):
    """Hold the run for a while (so two runs overlap)."""
    time.sleep(seconds)
    return table
'''


@pytest.fixture
def make_project(write_project: Callable[..., Path]) -> Callable[..., Path]:
    def make(*, pause: float = 0.0, yaml_timeout: float = 60) -> Path:
        return write_project(
            PROJECT % {"pause": pause, "yaml_timeout": yaml_timeout},
            files={
                "data/numbers.csv": "n\n1\n2\n3\n",
                "transforms.py": TRANSFORMS,
            },
        )

    return make


@contextmanager
def holding(state: Path, lock: str, run_id: str) -> Iterator[tuple[str, int]]:
    """Another process holding ``lock`` of ``state``; yields (lock id, pid)."""
    proc = subprocess.Popen(
        [sys.executable, str(WORKER), "hold", str(state), lock, run_id],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdin is not None
    assert proc.stdout is not None
    try:
        words = proc.stdout.readline().split()
        assert words[:1] == ["locked"], (words, proc.stderr.read() if proc.stderr else "")
        yield words[1], int(words[2])
    finally:
        proc.stdin.write("release\n")
        proc.stdin.flush()
        out, _ = proc.communicate(timeout=30)
    assert "released" in out


def runs(project: Path) -> dict[str, list[dict]]:
    result = run_odibi(["state", "history", str(project), "--json", "--limit", "100"])
    assert result.returncode == 0, result.stderr
    by_pipeline: dict[str, list[dict]] = {}
    for run in json.loads(result.stdout):
        by_pipeline.setdefault(run["pipeline"], []).append(run)
    return by_pipeline


def test_lock_timeout_fails_in_time_naming_the_holder_and_leaves_state_alone(make_project) -> None:
    project = make_project()
    assert run_odibi(["run", str(project), "-p", "alpha"]).returncode == 0
    # a run writes its pipeline's own document, under that document's state lock
    state = pipeline_document_path(project.parent / ".odibi" / "state.json", "alpha")
    before = state.read_bytes()
    with holding(state, "state", "holder-run-42") as (lock_id, pid):
        start = time.monotonic()
        result = run_odibi(["run", str(project), "-p", "alpha", "--lock-timeout", "2"])
        elapsed = time.monotonic() - start
        assert state.read_bytes() == before
    assert result.returncode == 5, result.stderr
    for part in ("holder-run-42", f"pid {pid}", socket.gethostname(), lock_id, "waiting 2.0s"):
        assert part in result.stderr, f"{part!r} not in {result.stderr!r}"
    assert 2.0 <= elapsed < 2.0 + 4.0, elapsed  # 2 s of waiting plus interpreter start-up
    assert state.read_bytes() == before
    assert run_odibi(["run", str(project), "-p", "alpha", "--lock-timeout", "2"]).returncode == 0


def test_lock_timeout_comes_from_flag_then_env_then_yaml(make_project) -> None:
    project = make_project(yaml_timeout=0.5)
    state = project.parent / ".odibi" / "state.json"
    with holding(state, "pipeline.alpha", "holder-run-7"):
        timings = {}
        for label, args, env, waited in [
            ("yaml", [], {}, "waiting 0.5s"),
            ("env", [], {"ODIBI_LOCK_TIMEOUT": "1.5"}, "waiting 1.5s"),
            ("flag", ["--lock-timeout", "0.2"], {"ODIBI_LOCK_TIMEOUT": "30"}, "waiting 0.2s"),
        ]:
            start = time.monotonic()
            result = run_odibi(["run", str(project), "-p", "alpha", *args], extra_env=env)
            timings[label] = time.monotonic() - start
            assert result.returncode == 5, result.stderr
            assert "holder-run-7" in result.stderr
            assert waited in result.stderr, (label, result.stderr)
    # lower bounds only: interpreter start-up under load adds seconds, never subtracts them
    assert timings["env"] >= 1.5
    assert timings["yaml"] >= 0.5
    assert timings["flag"] < 10  # not the 30 s of the environment


def test_no_wait_exits_at_once_naming_the_running_holder(make_project) -> None:
    project = make_project()
    state = project.parent / ".odibi" / "state.json"
    with holding(state, "pipeline.alpha", "holder-run-9") as (lock_id, pid):
        result = run_odibi(
            ["run", str(project), "-p", "alpha", "--no-wait"],
            extra_env={"ODIBI_LOCK_TIMEOUT": "60"},
        )
        other = run_odibi(["run", str(project), "-p", "beta", "--no-wait"])
    assert result.returncode == 5, result.stderr
    assert "does not wait" in result.stderr
    for part in ("holder-run-9", f"pid {pid}", lock_id, "pipeline.alpha"):
        assert part in result.stderr
    assert other.returncode == 0, other.stderr  # another pipeline is not blocked
    assert not (project.parent / "lake" / "alpha.parquet").exists()


def test_two_pipelines_of_one_project_run_concurrently_and_both_land_in_state(make_project) -> None:
    project = make_project(pause=2.5)
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "odibi_core.cli.main", "run", str(project), "-p", name],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("alpha", "beta")
    ]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    recorded = runs(project)
    assert sorted(recorded) == ["alpha", "beta"]
    (alpha,), (beta,) = recorded["alpha"], recorded["beta"]
    assert alpha["status"] == beta["status"] == "success"
    assert alpha["started_at"] < beta["finished_at"], "the two pipelines did not overlap"
    assert beta["started_at"] < alpha["finished_at"], "the two pipelines did not overlap"


def test_the_same_pipeline_started_twice_runs_one_after_the_other(make_project) -> None:
    project = make_project(pause=1.5)
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "odibi_core.cli.main", "run", str(project), "-p", "alpha"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    first, second = sorted(runs(project)["alpha"], key=lambda r: r["started_at"])
    assert first["status"] == second["status"] == "success"
    assert second["started_at"] >= first["finished_at"], (first, second)


def test_a_torn_state_file_stops_the_run_and_is_left_in_place(make_project) -> None:
    project = make_project()
    state = project.parent / ".odibi" / "state.json"
    state.parent.mkdir()
    torn = b'{"version": 1, "lineage": "0123", "serial": 7, "pipelines": {"alpha": {"ru'
    state.write_bytes(torn)
    result = run_odibi(["run", str(project), "-p", "alpha"])
    assert result.returncode == 6, result.stderr
    assert str(state) in result.stderr
    assert "not valid JSON" in result.stderr
    assert state.read_bytes() == torn
    assert not (project.parent / "lake").exists()
    shown = run_odibi(["state", "show", str(project)])
    assert shown.returncode == 6
    assert "left in place" in shown.stderr
