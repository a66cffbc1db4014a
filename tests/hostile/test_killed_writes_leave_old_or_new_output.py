"""Promise: a write killed at ANY instant leaves its target as the old or the new complete output;
the next run of the node removes every staging file the killed one left, and succeeds.

A bounded fault-injection loop: SIGKILL at random moments of single-file writes and of folder
writes (``partition_by``), 50 trials each; some trials pause at a named step of the publish
(``ODIBI_TEST_PAUSE``) so kills land there too; every tenth trial waits for its staging files and
is killed mid-write, and another tenth is killed once the new output is published, so both sides
are reached on a loaded machine; and a third of the folder trials use the
two-rename publish of file systems that cannot swap two names (``ODIBI_TEST_NO_EXCHANGE``).
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest
from odibi_core.connections.local import LocalConnection

WORKER = Path(__file__).with_name("write_worker.py")
TRIALS = 50
ROWS = 2_000
PAUSES = [
    "-",
    "write.copied=0.05",
    "publish.staged=0.05",
    "publish.aside=0.05",
    "publish.swapped=0.05",
]

PROJECT = """\
project: crash
connections:
  raw: {type: local, base_path: ./data}
  lake: {type: local, base_path: ./lake}
reports: {enabled: false}
pipelines:
  - pipeline: file
    nodes:
      - name: single
        read: {connection: raw, path: in.csv}
        write: {connection: lake, path: out.csv}
  - pipeline: folder
    nodes:
      - name: parts
        read: {connection: raw, path: in.csv}
        write: {connection: lake, path: parts, format: parquet, options: {partition_by: g}}
"""


def write_input(root: Path, version: int) -> set[tuple[int, int, int]]:
    """``in.csv`` for ``version`` (its rows differ from every other version's)."""
    rows = {(i % (3 + version % 4), i, version) for i in range(ROWS)}  # partitions come and go
    (root / "data").mkdir(exist_ok=True)
    (root / "data" / "in.csv").write_text(
        "g,i,version\n" + "".join(f"{g},{i},{v}\n" for g, i, v in sorted(rows))
    )
    return rows


def output_rows(target: Path) -> set[tuple[int, int, int]] | None:
    """The rows of the published output, read independently (``None``: no output)."""
    if not target.exists():
        return None
    if target.is_dir():
        files = f"'{target}/*/*.parquet', hive_partitioning = true"
        query = f"SELECT g, i, version FROM read_parquet({files})"
    else:
        query = f"SELECT g, i, version FROM read_csv('{target}')"
    return {tuple(int(v) for v in row) for row in duckdb.sql(query).fetchall()}  # type: ignore[misc]


def temp_names(folder: Path) -> list[str]:
    return (
        sorted(p.name for p in folder.iterdir() if ".odibi-" in p.name) if folder.exists() else []
    )


def published(target: Path, rows: set[tuple[int, int, int]]) -> bool:
    """Whether ``target`` holds ``rows`` (read while a run may be swapping it in: retry later)."""
    try:
        return output_rows(target) == rows
    except duckdb.Error:  # listed, then swapped away: not yet (or no longer) whole
        return False


def wait_until(condition: Callable[[], bool], timeout: float = 60.0) -> None:
    """Poll ``condition`` until it holds (the trial then kills at that moment)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the write never reached the awaited step"
        time.sleep(0.002)


class Zygote:
    """The warm worker process; ``run`` forks one pipeline run and returns the child pid."""

    def __init__(self, project: Path) -> None:
        self.process = subprocess.Popen(
            [sys.executable, str(WORKER), str(project)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            bufsize=1,
        )

    def run(self, pipeline: str, *, no_exchange: bool = False, pause: str = "-") -> int:
        assert self.process.stdin is not None
        assert self.process.stdout is not None
        self.process.stdin.write(f"run {pipeline} {int(no_exchange)} {pause}\n")
        self.process.stdin.flush()
        words = self.process.stdout.readline().split()
        assert words[0] == "child", words
        return int(words[1])

    def ended(self) -> int:
        """Wait for the child; its signal number if killed, else minus its exit code."""
        assert self.process.stdout is not None
        words = self.process.stdout.readline().split()
        assert words[0] == "exited", words
        return int(words[1])

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=60)


@pytest.mark.parametrize("kind", ["file", "folder"])
def test_sigkill_at_random_points_leaves_the_old_or_the_new_output(
    tmp_path: Path, kind: str
) -> None:
    (tmp_path / "odibi.yaml").write_text(PROJECT)
    target = tmp_path / "lake" / ("out.csv" if kind == "file" else "parts")
    lake = LocalConnection("lake", tmp_path / "lake")
    rng = random.Random(f"odibi-{kind}-writes")
    zygote = Zygote(tmp_path / "odibi.yaml")
    outcomes = {"old": 0, "new": 0, "staging left": 0}
    try:
        current = write_input(tmp_path, 0)
        zygote.run(kind)
        assert zygote.ended() == 0, "the first run failed"
        began = time.monotonic()  # calibrate on a warm run: kills then land in every phase of one
        zygote.run(kind)
        assert zygote.ended() == 0, "the second run failed"
        window = (time.monotonic() - began) * 1.2
        assert output_rows(target) == current
        for trial in range(1, TRIALS + 1):
            new = write_input(tmp_path, trial)
            no_exchange = kind == "folder" and trial % 3 == 0
            pause = rng.choice(PAUSES)
            if trial % 10 == 0:  # surely mid-write, however loaded the machine is
                pause = "write.copied=0.5"
            pid = zygote.run(kind, no_exchange=no_exchange, pause=pause)
            if trial % 10 == 0:
                wait_until(lambda: bool(temp_names(target.parent)))
            elif trial % 10 == 5:  # surely after the publish
                wait_until(lambda new=new: published(target, new))
            else:
                time.sleep(rng.uniform(0.0, window + (0.05 if pause != "-" else 0.0)))
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            zygote.ended()  # killed, or it finished first: both are fine
            outcomes["staging left"] += bool(temp_names(target.parent))
            if (
                no_exchange
            ):  # between its two renames the target is missing: the next run restores it
                lake.clean_stale("parts")
            found = output_rows(target)
            assert found in (current, new), (
                f"trial {trial} ({pause}): the output is neither old nor new"
            )
            outcomes["old" if found == current else "new"] += 1

            zygote.run(kind)  # the next run of the node
            assert zygote.ended() == 0, f"trial {trial}: the next run failed"
            assert output_rows(target) == new, f"trial {trial}: the next run did not publish"
            assert temp_names(target.parent) == [], (
                f"trial {trial}: staging files survived the next run"
            )
            current = new
    finally:
        zygote.close()
    # kills landed on both sides of the publish, and some left staging files for the next run
    assert outcomes["old"] > 0, outcomes
    assert outcomes["new"] > 0, outcomes
    assert outcomes["staging left"] > 0, outcomes
    print(f"{kind}: {TRIALS} kills in {window * 1000:.0f} ms windows: {outcomes}")
