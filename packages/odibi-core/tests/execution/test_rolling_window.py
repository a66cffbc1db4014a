"""``read.incremental`` with ``mode: rolling_window``: everything first, then the last N units.

No high-water mark is kept for such a node: each run reads the rows newer than its start minus
the lookback, and the first run (no write target yet) reads everything.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from odibi_core.config.loader import load_project
from odibi_core.config.models import IncrementalConfig
from odibi_core.execution.rolling_window import UNIT_DAYS, window_start
from odibi_core.execution.runner import RunOptions, run_project
from odibi_core.plugins.manager import create_plugin_manager

PROJECT = """\
project: rolling
connections:
  raw: {type: local, base_path: ./data}
  lake: {type: local, base_path: ./lake}
pipelines:
  - pipeline: events
    nodes:
      - name: events
        read:
          connection: raw
          path: events.csv
          incremental: {column: ts, mode: rolling_window, lookback: 3, unit: day}
        write: {connection: lake, path: events.parquet, mode: append}
"""


def _events(now: dt.datetime, ages_in_days: dict[int, float]) -> str:
    rows = [
        f"{i},{(now - dt.timedelta(days=age)).isoformat(sep=' ')}"
        for i, age in ages_in_days.items()
    ]
    return "id,ts\n" + "\n".join(rows) + "\n"


def _run(path: Path) -> None:
    pm = create_plugin_manager()
    (result,) = run_project(load_project(path, pm=pm), pm, RunOptions(workers=1))
    assert result.status == "success", result.nodes["events"].error


def test_first_run_reads_everything_later_runs_only_the_window(
    write_project, tmp_path: Path
) -> None:
    now = dt.datetime.now().replace(microsecond=0)
    path = write_project(PROJECT, files={"data/events.csv": _events(now, {1: 30, 2: 10, 3: 1})})
    _run(path)
    output = tmp_path / "lake" / "events.parquet"
    assert sorted(pq.read_table(output).column("id").to_pylist()) == [1, 2, 3]

    (tmp_path / "data" / "events.csv").write_text(_events(now, {1: 30, 2: 10, 3: 1, 4: 2.5, 5: 4}))
    _run(path)
    # the second run appends only what lies within 3 days: 3 (again) and 4, never 1, 2 or 5
    assert sorted(pq.read_table(output).column("id").to_pylist()) == [1, 2, 3, 3, 4]

    state = json.loads((tmp_path / ".odibi" / "state.json").read_text())
    assert not state["pipelines"]["events"].get("high_water_marks", {}).get("events")


@pytest.mark.parametrize(("unit", "lookback"), [("hour", 5), ("day", 2), ("month", 1), ("year", 2)])
def test_the_window_starts_lookback_units_before_now(unit: str, lookback: int) -> None:
    now = dt.datetime(2024, 3, 1, 12)
    config = IncrementalConfig(column="ts", mode="rolling_window", lookback=lookback, unit=unit)
    assert now - window_start(config, now) == dt.timedelta(days=UNIT_DAYS[unit] * lookback)


def test_a_rolling_window_needs_a_lookback_and_a_mark_takes_none() -> None:
    with pytest.raises(ValueError, match="needs lookback"):
        IncrementalConfig(column="ts", mode="rolling_window")
    with pytest.raises(ValueError, match="lookback belongs to mode rolling_window"):
        IncrementalConfig(column="ts", lookback=3)
