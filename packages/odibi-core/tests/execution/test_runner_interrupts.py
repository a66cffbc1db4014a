"""The runner stops cleanly when its cancellation flag is raised (the programmatic Ctrl-C)."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from pathlib import Path

import pyarrow.parquet as pq
from odibi_core.config.loader import load_project
from odibi_core.execution.cancellation import RunCancellation
from odibi_core.execution.runner import RunOptions, run_project
from odibi_core.testing.state_files import stored_pipeline

PROJECT = """
project: stop
workers: 2
connections:
  data: {type: local, base_path: ./data}
  out: {type: local, base_path: ./out}
pipelines:
  - pipeline: first
    nodes:
      - name: seed
        read: {connection: data, path: seed.csv}
      - name: quick
        depends_on: [seed]
        transform: {steps: ["SELECT k FROM seed"]}
        write: {connection: out, path: quick.parquet}
      - name: slow
        depends_on: [quick]
        transform:
          steps:
            - SELECT count(*) AS n FROM range(1000000000) a(i), range(1000000000) b(j)
              WHERE a.i < b.j - 5000000000
        write: {connection: out, path: slow.parquet}
      - name: after
        depends_on: [slow]
        write: {connection: out, path: after.parquet}
  - pipeline: second
    nodes:
      - name: never
        read: {connection: data, path: seed.csv}
"""


def test_a_cancelled_run_records_interrupted_nodes_and_starts_no_more_pipelines(
    write_project: Callable[..., Path], make_plugin_manager: Callable[..., object]
) -> None:
    project = write_project(PROJECT, files={"data/seed.csv": "k\n1\n"})
    out = project.parent / "out"
    out.mkdir()
    pq.write_table(__import__("pyarrow").table({"n": [41]}), out / "slow.parquet")
    cancellation = RunCancellation(announce=False)
    finished = threading.Event()

    def cancel_once_slow_runs() -> None:
        while not (out / "quick.parquet").exists() and not finished.wait(0.05):
            pass
        if not finished.wait(0.5):  # slow is running now
            cancellation.cancel()

    watcher = threading.Thread(target=cancel_once_slow_runs, daemon=True)
    watcher.start()
    pm = make_plugin_manager(load_entry_points=True)
    try:
        results = run_project(
            load_project(project, pm=pm), pm, RunOptions(cancellation=cancellation)
        )
    finally:
        finished.set()
        watcher.join()
    assert [r.pipeline for r in results] == ["first"]  # the second pipeline never started
    [result] = results
    assert result.status == "interrupted"
    assert result.interrupted
    assert not result.ok
    statuses = {name: node.status for name, node in result.nodes.items()}
    assert statuses == {
        "seed": "success",
        "quick": "success",
        "slow": "interrupted",
        "after": "interrupted",
    }
    assert "interrupted by a caller" in (result.nodes["slow"].skipped_reason or "")
    assert pq.read_table(out / "slow.parquet").to_pylist() == [{"n": 41}]  # the old output, whole
    assert sorted(p.name for p in out.iterdir()) == ["quick.parquet", "slow.parquet"]
    report = json.loads(
        next((project.parent / ".odibi" / "reports" / "first").glob("*.json")).read_text()
    )
    assert report["status"] == "interrupted"
    assert report["totals"]["interrupted"] == 2
    state = project.parent / ".odibi" / "state.json"
    if state.exists():  # odibi-state-local installed: the run is recorded as interrupted
        run = stored_pipeline(state, "first")["runs"][-1]
        assert run["status"] == "interrupted"
        assert run["nodes"]["slow"]["status"] == "interrupted"
