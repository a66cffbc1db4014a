"""Promise: staging files of a killed write are never read, and the next run of the node removes
them; a live run's staging files are never touched (item 2 of the hostile review).

The killed runs are real ``odibi run`` processes stopped with SIGKILL while their staging file
exists (``ODIBI_TEST_PAUSE`` holds them at that step).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from .conftest import odibi, temp_names

PROJECT = """\
project: staging
connections:
  raw: {type: local, base_path: ./data}
  lake: {type: local, base_path: ./lake}
  marts: {type: local, base_path: ./marts}
reports: {enabled: false}
pipelines:
  - pipeline: write
    nodes:
      - name: out
        read: {connection: raw, path: in.csv}
        write: {connection: lake, path: out.csv}
  - pipeline: also_write
    nodes:
      - name: out_again
        read: {connection: raw, path: in.csv}
        write: {connection: lake, path: out.csv}
  - pipeline: read
    nodes:
      - name: everything
        read: {connection: lake, path: "*", format: csv}
        write: {connection: marts, path: all.parquet}
"""
ROWS = "id,name\n" + "".join(f"{i},name {i}\n" for i in range(500))


def start_paused(root: Path, pipeline: str) -> subprocess.Popen[bytes]:
    """``odibi run -p PIPELINE`` held just after writing a new staging file; returns once it has."""
    env = {**os.environ, "ODIBI_TEST_PAUSE": "write.copied=60"}
    before = set(temp_names(root / "lake"))
    process = subprocess.Popen(
        [sys.executable, "-m", "odibi_core.cli.main", "run", "-p", pipeline],
        cwd=root,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while not set(temp_names(root / "lake")) - before:
        assert process.poll() is None, "the run ended before staging anything"
        assert time.monotonic() < deadline, "no staging file appeared in 60 s"
        time.sleep(0.02)
    return process


def kill(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)


def test_a_killed_writes_staging_is_never_read_and_the_next_run_removes_it(
    project: Callable[..., Path],
) -> None:
    root = project(PROJECT, {"data/in.csv": ROWS})
    assert odibi("run", "-p", "write", cwd=root).returncode == 0
    kill(start_paused(root, "write"))
    first = temp_names(root / "lake")
    kill(start_paused(root, "write"))  # even a run killed later removes what the first one left
    left = temp_names(root / "lake")
    assert len(first) == 1, (first, left)
    assert len(left) == 1, (first, left)
    assert left != first, (first, left)
    assert left[0].startswith(".out.csv.odibi-tmp-")

    result = odibi("run", "-p", "read", "--json", cwd=root)  # path: "*" next to the staging files
    assert result.returncode == 0, result.stderr
    assert '"rows_out": 500' in result.stdout
    assert temp_names(root / "lake") == left  # a read never deletes anything

    assert odibi("run", "-p", "write", cwd=root).returncode == 0
    assert temp_names(root / "lake") == []
    assert (root / "lake" / "out.csv").read_text().count("\n") == 501


def test_a_live_runs_staging_survives_another_runs_cleanup(project: Callable[..., Path]) -> None:
    root = project(PROJECT, {"data/in.csv": ROWS})
    live = start_paused(root, "write")
    try:
        staged = temp_names(root / "lake")
        result = odibi("run", "-p", "also_write", cwd=root)  # writes the same target meanwhile
        assert result.returncode == 0, result.stderr
        assert temp_names(root / "lake") == staged  # the live writer's staging file is still there
        assert (root / "lake" / staged[0]).stat().st_size > 0
    finally:
        kill(live)
    assert odibi("run", "-p", "also_write", cwd=root).returncode == 0  # now its writer is dead
    assert temp_names(root / "lake") == []
