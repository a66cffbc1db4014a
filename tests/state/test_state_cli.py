"""``odibi state show | history | unlock`` as a user runs them."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from odibi_core.testing.cli import run_odibi

WORKER = Path(__file__).with_name("state_worker.py")

PROJECT = """
project: cli
connections:
  raw: {type: local, base_path: ./data}
  lake: {type: local, base_path: ./lake}
pipelines:
  - pipeline: alpha
    nodes:
      - name: numbers
        read: {connection: raw, path: numbers.csv}
        write: {connection: lake, path: alpha.parquet}
  - pipeline: beta
    nodes:
      - name: doubled
        read: {connection: raw, path: numbers.csv}
        transform: {steps: ["SELECT n * 2 AS n FROM this"]}
        write: {connection: lake, path: beta.parquet}
"""


@pytest.fixture
def project(write_project: Callable[..., Path]) -> Path:
    return write_project(PROJECT, files={"data/numbers.csv": "n\n1\n2\n3\n"})


def start_holder(state: Path, lock: str, run_id: str) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [sys.executable, str(WORKER), "hold", str(state), lock, run_id],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    words = proc.stdout.readline().split()
    assert words[:1] == ["locked"], words
    return proc, words[1]


def test_show_before_any_run_and_after_runs(project: Path) -> None:
    empty = run_odibi(["state", "show", str(project)], cwd=project.parent)
    assert empty.returncode == 0, empty.stderr
    assert empty.stdout.splitlines()[:2] == [
        "state: local at .odibi/state.json",
        "no runs recorded yet",
    ]
    ran = run_odibi(["run", str(project)], cwd=project.parent)
    assert ran.returncode == 0, ran.stderr
    assert "run history: local state at .odibi/state.json" in ran.stdout

    shown = run_odibi(["state", "show", str(project)])
    assert shown.returncode == 0, shown.stderr
    assert "pipeline alpha:" in shown.stdout
    assert "pipeline beta:" in shown.stdout
    assert "lake:alpha.parquet" in shown.stdout
    assert "locks held: none" in shown.stdout
    data = json.loads(run_odibi(["state", "show", str(project), "--json"]).stdout)
    assert data["backend"] == "local"
    assert data["location"] == str(project.parent / ".odibi" / "state.json")
    # the main document only lists the pipelines (one write each); their history is in their own
    assert data["document"]["serial"] == 2
    assert sorted(data["document"]["pipelines"]) == ["alpha", "beta"]
    assert data["document"]["pipelines"]["beta"]["nodes"]["doubled"]["rows_out"] == 3
    assert data["locks"] == []


def test_state_path_is_relative_to_the_project_file_not_the_cwd(
    write_project, tmp_path: Path
) -> None:
    project = write_project(
        PROJECT.replace(
            "pipelines:", "state: {backend: local, path: history/s.json}\npipelines:", 1
        ),
        files={"data/numbers.csv": "n\n1\n"},
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    assert run_odibi(["run", str(project), "-p", "alpha"], cwd=elsewhere).returncode == 0
    assert (project.parent / "history" / "s.json").exists()
    assert list(elsewhere.iterdir()) == []


def test_history_lists_runs_newest_first_with_filters(project: Path) -> None:
    for pipeline in ("alpha", "beta", "alpha"):
        assert run_odibi(["run", str(project), "-p", pipeline]).returncode == 0
    every = json.loads(run_odibi(["state", "history", str(project), "--json"]).stdout)
    assert [r["pipeline"] for r in every] == ["alpha", "beta", "alpha"]
    assert every[0]["started_at"] > every[1]["started_at"] > every[2]["started_at"]
    assert {r["status"] for r in every} == {"success"}
    assert all(r["pid"] > 0 for r in every)
    alpha = json.loads(
        run_odibi(
            ["state", "history", str(project), "-p", "alpha", "--limit", "1", "--json"]
        ).stdout
    )
    assert [r["run_id"] for r in alpha] == [every[0]["run_id"]]
    header, *text = run_odibi(["state", "history", str(project)]).stdout.splitlines()
    assert header.split()[:3] == ["PIPELINE", "RUN", "ID"]
    assert len(text) == 3
    assert text[0].split()[:3] == ["alpha", every[0]["run_id"], "success"]
    assert "(1 success)" in text[0]
    unknown = run_odibi(["state", "history", str(project), "-p", "alpah"])
    assert unknown.returncode == 2
    assert "alpha" in unknown.stderr


def test_show_lists_a_live_holder_and_unlock_refuses_to_break_it(project: Path) -> None:
    state = project.parent / ".odibi" / "state.json"
    holder, lock_id = start_holder(state, "pipeline.alpha", "run-live-1")
    try:
        shown = run_odibi(["state", "show", str(project)])
        assert f"lock {lock_id} (pipeline.alpha) held by run run-live-1" in shown.stdout
        refused = run_odibi(["state", "unlock", lock_id, str(project), "--force"])
        assert refused.returncode == 5, refused.stderr
        assert f"pid {holder.pid}" in refused.stderr
        assert "alive" in refused.stderr
        assert run_odibi(["run", str(project), "-p", "alpha", "--no-wait"]).returncode == 5
    finally:
        holder.communicate("release\n", timeout=30)


def test_unlock_clears_a_killed_holders_record_after_confirmation(project: Path) -> None:
    state = project.parent / ".odibi" / "state.json"
    holder, lock_id = start_holder(state, "pipeline.alpha", "run-killed-1")
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait(timeout=30)
    sidecar = state.parent / "state.json.pipeline.alpha.lock"
    assert lock_id in sidecar.read_text()  # what a killed process leaves behind
    assert (
        "locks held: none" in run_odibi(["state", "show", str(project)]).stdout
    )  # it holds nothing

    declined = subprocess.run(
        [sys.executable, "-m", "odibi_core.cli.main", "state", "unlock", lock_id, str(project)],
        input="n\n",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert declined.returncode == 0
    assert "Clear lock" in declined.stderr
    assert "nothing was unlocked" in declined.stderr
    assert lock_id in sidecar.read_text()
    confirmed = subprocess.run(
        [sys.executable, "-m", "odibi_core.cli.main", "state", "unlock", lock_id, str(project)],
        input="y\n",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert confirmed.returncode == 0, confirmed.stderr
    assert "unlocked: lock" in confirmed.stdout
    assert "run-killed-1" in confirmed.stdout
    assert sidecar.read_text() == ""
    again = run_odibi(["state", "unlock", lock_id, str(project), "--force"])
    assert again.returncode == 2
    assert f"no lock with id {lock_id}" in again.stderr
    assert run_odibi(["run", str(project), "-p", "alpha", "--no-wait"]).returncode == 0
