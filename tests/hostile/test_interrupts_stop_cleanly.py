"""Promise: Ctrl-C and SIGTERM stop a run cleanly and loudly.

Running work is cancelled, no partial output and no staging file is left, the run and its
unfinished nodes are recorded as ``interrupted`` (never ``running``), the report is written, the
summary printed, and ``odibi`` exits 130 (SIGINT) or 143 (SIGTERM). A second Ctrl-C exits at once.
Everything here is a real process: a pseudo-terminal for Ctrl-C, real signals otherwise.
"""

from __future__ import annotations

import json
import random
import signal
import time
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from odibi_core.testing.cli import run_odibi, start_odibi
from odibi_core.testing.state_files import stored_pipeline
from odibi_core.testing.terminal import TerminalSession

ENDLESS = (
    "SELECT count(*) AS n FROM range(1000000000) a(i), range(1000000000) b(j) WHERE a.i + b.j < 0"
)
"""A query DuckDB would work on for hours, and that it can cancel at any moment."""

SLOW_PROJECT = f"""\
project: stop
connections:
  data: {{type: local, base_path: ./data}}
  out: {{type: local, base_path: ./out}}
pipelines:
  - pipeline: main
    nodes:
      - name: seed
        read: {{connection: data, path: seed.csv}}
      - name: quick
        depends_on: [seed]
        transform: {{steps: ["SELECT k, 'new' AS tag FROM seed"]}}
        write: {{connection: out, path: quick.parquet}}
      - name: slow
        depends_on: [quick]
        transform: {{steps: ["{ENDLESS}"]}}
        write: {{connection: out, path: slow.parquet}}
"""

SLEEPY_TRANSFORMS = """
import time
from odibi_core import transform

@transform(frame="arrow")
def nap(table, seconds: float):
    time.sleep(seconds)  # plain Python: nothing can cancel it
    return table
"""


def staging_files(folder: Path) -> list[str]:
    """Staging files or folders anywhere under ``folder``."""
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if ".odibi-" in p.name)


def runs(project: Path) -> list[dict[str, Any]]:
    """The recorded runs of pipeline ``main`` (the state file must parse)."""
    return list(stored_pipeline(project / ".odibi" / "state.json", "main")["runs"])


@pytest.fixture
def slow_project(write_project: Any) -> Path:
    project: Path = write_project(SLOW_PROJECT, files={"data/seed.csv": "k\n1\n2\n"})
    (project.parent / "out").mkdir()
    pq.write_table(
        __import__("pyarrow").table({"n": [7], "tag": ["old"]}),
        project.parent / "out" / "slow.parquet",
    )
    return project.parent


def test_ctrl_c_in_a_terminal_stops_the_run_and_says_so(slow_project: Path) -> None:
    with TerminalSession(["run"], cwd=slow_project) as term:
        term.read_until(r"running: slow|node quick succeeded")
        time.sleep(0.5)  # slow is running now
        pressed = time.monotonic()
        term.press_ctrl_c()
        code = term.wait(timeout=60)
        screen = term.text
    assert code == 130, screen
    assert time.monotonic() - pressed < 60
    assert "press Ctrl-C again to exit at once" in screen
    assert "pipeline main run" in screen, screen
    assert ": interrupted in" in screen, screen
    assert [line.split()[:2] for line in screen.splitlines() if line.strip().startswith("slow ")][
        -1
    ] == ["slow", "interrupted"], screen
    assert "error: run interrupted by SIGINT (Ctrl-C)" in screen
    assert "report: " in screen
    last = runs(slow_project)[-1]
    assert last["status"] == "interrupted"
    assert {n: r["status"] for n, r in last["nodes"].items()} == {
        "seed": "success",
        "quick": "success",
        "slow": "interrupted",
    }
    assert pq.read_table(slow_project / "out" / "slow.parquet").to_pylist() == [
        {"n": 7, "tag": "old"}
    ]
    assert staging_files(slow_project) == []
    [report] = (slow_project / ".odibi" / "reports" / "main").glob("*.json")
    assert json.loads(report.read_text())["status"] == "interrupted"


def test_sigterm_stops_the_run_and_history_never_says_running(slow_project: Path) -> None:
    process = start_odibi(["run"], cwd=slow_project)
    time.sleep(0.5)
    _wait_for(lambda: (slow_project / "out" / "quick.parquet").exists(), 90)
    time.sleep(0.5)
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 143, out + err
    assert "interrupted" in out, out + err
    assert "error: run interrupted by SIGTERM" in err, out + err
    assert runs(slow_project)[-1]["status"] == "interrupted"
    history = run_odibi(["state", "history"], cwd=slow_project)
    assert history.returncode == 0, history.stderr
    assert "running" not in history.stdout, history.stdout
    assert "interrupted" in history.stdout, history.stdout
    assert staging_files(slow_project) == []


def test_a_second_ctrl_c_exits_at_once(write_project: Any) -> None:
    project = write_project(
        """
        project: stubborn
        connections:
          data: {type: local, base_path: ./data}
        pipelines:
          - pipeline: main
            nodes:
              - name: seed
                read: {connection: data, path: seed.csv}
              - name: napping
                depends_on: [seed]
                transform: {steps: [{function: nap, params: {seconds: 120}}]}
        """,
        files={"data/seed.csv": "k\n1\n", "transforms.py": SLEEPY_TRANSFORMS},
    ).parent
    process = start_odibi(["run"], cwd=project)
    _wait_for(lambda: _run_in_progress(project), 90)
    time.sleep(1.5)  # seed is read in no time: napping is asleep now
    process.send_signal(signal.SIGINT)
    time.sleep(1.5)
    assert process.poll() is None, "the first Ctrl-C waits for the running Python step"
    second = time.monotonic()
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=30)
    assert process.returncode == 130, out + err
    assert time.monotonic() - second < 30
    assert "press Ctrl-C again" in err, err
    assert "exiting now" in err, err


def test_signals_at_random_points_leave_complete_outputs_and_honest_state(
    write_project: Any,
) -> None:
    """20 runs, each hit by SIGINT or SIGTERM at a random moment (start-up, lock, reads, writes,
    recording); after each: the right exit code, no staging file, every output old or new and
    complete, state parses and never says running; then a clean run succeeds."""
    project = write_project(
        """
        project: chaos
        connections:
          data: {type: local, base_path: ./data}
          out: {type: local, base_path: ./out}
        pipelines:
          - pipeline: main
            nodes:
              - name: seed
                read: {connection: data, path: seed.csv}
              - name: wide
                depends_on: [seed]
                transform: {steps: ["SELECT i AS id, '${env:TAG}' AS tag FROM range(200000) t(i)"]}
                write: {connection: out, path: wide.parquet}
              - name: doubled
                depends_on: [wide]
                transform:  # about a second of interruptible work, so signals land mid-run
                  steps:
                    - >-
                      SELECT id * 2 AS id, tag FROM wide,
                      (SELECT count(*) AS c FROM range(25000) a(x), range(25000) b(y)
                       WHERE (x * 7 + y * 13) % 1000003 = 7) AS busy WHERE busy.c >= 0
                write: {connection: out, path: doubled.parquet}
              - name: summary
                depends_on: [doubled]
                transform: {steps: ["SELECT count(*) AS n, max(tag) AS tag FROM doubled"]}
                write: {connection: out, path: summary.csv}
        """,
        files={"data/seed.csv": "k\n1\n"},
    ).parent
    rng = random.Random(20261206)
    interrupted_runs = 0
    for iteration in range(20):
        tag = f"run{iteration}"
        chosen = rng.choice([signal.SIGINT, signal.SIGTERM])
        known = _count_runs(project)
        process = start_odibi(["run"], cwd=project, extra_env={"TAG": tag})
        if iteration % 2:  # anywhere from start-up on
            time.sleep(rng.uniform(0.05, 1.5))
        else:  # while nodes run: reads, SQL, writes, publication, recording
            _wait_for(
                lambda p=process, k=known: p.poll() is not None or _run_in_progress(project, k), 90
            )
            time.sleep(rng.uniform(0.0, 0.6))
        process.send_signal(chosen)
        out, err = process.communicate(timeout=120)
        expected = 130 if chosen == signal.SIGINT else 143
        # -signal: it came before the interpreter had loaded odibi (the shell sees 128+signal too)
        assert process.returncode in (0, expected, -chosen), (
            iteration,
            process.returncode,
            out,
            err,
        )
        assert staging_files(project) == [], (iteration, out, err)
        if process.returncode != -chosen:
            assert "Traceback" not in err, err
        for name, rows in (("wide.parquet", 200000), ("doubled.parquet", 200000)):
            target = project / "out" / name
            if target.exists():
                table = pq.read_table(target)
                assert table.num_rows == rows, (iteration, name)
                assert len(set(table.column("tag").to_pylist())) == 1  # one run's output, whole
        if (project / ".odibi" / "state.json").exists():
            statuses = [r["status"] for r in runs(project)]
            assert "running" not in statuses, (iteration, statuses)
            if process.returncode == expected and len(statuses) > known:
                assert statuses[-1] == "interrupted", statuses
                interrupted_runs += 1
        if process.returncode == 0:
            assert (project / "out" / "summary.csv").read_text().splitlines()[1] == f"200000,{tag}"
    final = run_odibi(["run"], cwd=project, extra_env={"TAG": "final"})
    assert final.returncode == 0, final.stdout + final.stderr
    assert (
        pq.read_table(project / "out" / "doubled.parquet").column("tag").to_pylist()[0] == "final"
    )
    assert runs(project)[-1]["status"] == "success"
    assert interrupted_runs >= 5, (
        f"only {interrupted_runs} signals hit a running pipeline: the timings are off"
    )


def _wait_for(condition: Any, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for the run to get going")
        time.sleep(0.1)


def _count_runs(project: Path) -> int:
    try:
        return len(runs(project))
    except (FileNotFoundError, KeyError):
        return 0


def _run_in_progress(project: Path, known: int = 0) -> bool:
    """Whether state records a run beyond the first ``known`` that is still running."""
    try:
        recorded = runs(project)
    except (FileNotFoundError, KeyError, json.JSONDecodeError):
        return False
    return len(recorded) > known and recorded[-1].get("status") == "running"
