"""A SQL-only run on the duckdb engine imports no dataframe library (what each run would pay)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

DATAFRAME_LIBRARIES = ("pyarrow", "numpy", "pandas")

PROJECT = """\
project: sql_only
engine: duckdb
connections:
  raw: {type: local, base_path: .}
reports: {samples: true, profile: true}
pipelines:
  - pipeline: sql_only
    nodes:
      - name: orders
        read: {connection: raw, format: csv, path: orders.csv}
        validation: {not_null: [id], unique: [id], row_count: {min: 1}}
      - name: priced
        depends_on: [orders]
        transform:
          steps:
            - SELECT id, name, amount * 2 AS amount, DATE '2024-01-01' + id::INTEGER AS day,
                     amount::DECIMAL(10, 2) AS exact FROM orders WHERE amount > 1
        write: {connection: raw, format: parquet, path: out/priced.parquet, mode: overwrite}
      - name: totals
        depends_on: [priced]
        transform:
          steps:
            - SELECT count(*) AS n, sum(amount) AS total FROM priced
        write: {connection: raw, format: csv, path: out/totals.csv, mode: overwrite}
"""


def _imported(importtime_log: str) -> set[str]:
    """Top-level module names of every ``-X importtime`` line."""
    names = re.findall(r"^import time:\s+\d+ \|\s+\d+ \|\s*([\w.]+)\s*$", importtime_log, re.M)
    return {name.split(".")[0] for name in names}


@pytest.mark.parametrize("reports", ["on", "off"])
def test_sql_only_duckdb_run_imports_no_dataframe_library(tmp_path: Path, reports: str) -> None:
    rows = ["id,name,amount", *(f"{i},name {i},{i * 1.5}" for i in range(10))]
    (tmp_path / "orders.csv").write_text("\n".join(rows) + "\n")
    text = PROJECT if reports == "on" else PROJECT.replace(
        "reports: {samples: true, profile: true}", "reports: {enabled: false}")
    (tmp_path / "odibi.yaml").write_text(text)
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "odibi_core.cli.main", "run", "odibi.yaml"],
        cwd=tmp_path, capture_output=True, text=True, check=False, timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert (tmp_path / "out" / "priced.parquet").stat().st_size > 0
    assert (tmp_path / "out" / "totals.csv").read_text().splitlines()[1].startswith("9,")
    imported = _imported(proc.stderr)
    assert "duckdb" in imported  # the log is read correctly: the engine itself shows up
    assert imported.isdisjoint(DATAFRAME_LIBRARIES), sorted(imported & set(DATAFRAME_LIBRARIES))


UNUSED_BY_A_DUCKDB_RUN = (
    "odibi_engine_spark.options",  # an unused component's options model is named, not loaded
    "odibi_engine_pandas.options",
    "odibi_connector_postgres.options",
    "odibi_connector_azure.options",
    "odibi_state_azure.options",
    "odibi_engine_spark.connection",
    "odibi_engine_spark.engine",
    "odibi_engine_pandas.engine",
    "portalocker",  # the local state lock is flock on POSIX; portalocker imports redis
    "redis",
    "odibi_core.cli.commands.project",  # only the command asked for is mounted
    "odibi_core.cli.commands.plugins",
    "odibi_core.cli.commands.secrets",
    "odibi_core.cli.commands.story",
    "odibi_core.cli.commands.doctor",
    "odibi_core.cli.scaffold",
)


LOADED_MODULES = (
    "import atexit, sys\n"
    "report = lambda: sys.__stderr__.write('LOADED ' + ' '.join(sorted(sys.modules)) + '\\n')\n"
    "atexit.register(report)\n"
    "sys.argv = ['odibi', 'run', 'odibi.yaml']\n"
    "from odibi_core.cli.entry import main\n"
    "main()\n"
)
"""Runs ``odibi run`` through the console script's entry and prints every module loaded, at exit.

``sys.modules`` rather than ``-X importtime``: the import-time log misses modules loaded through
``importlib.import_module`` (entry points, ``"module:Class"`` options references)."""


def test_a_duckdb_run_imports_no_engine_or_lock_library_it_does_not_use(tmp_path: Path) -> None:
    """Through the console script's entry, as a user runs it: plugins that are installed but
    unused cost their registration, never their options models, engine or connection."""
    (tmp_path / "orders.csv").write_text("id,name,amount\n1,a,1.5\n2,b,3.0\n")
    (tmp_path / "odibi.yaml").write_text(PROJECT)
    proc = subprocess.run(
        [sys.executable, "-c", LOADED_MODULES],
        cwd=tmp_path, capture_output=True, text=True, check=False, timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    line = next(x for x in proc.stderr.splitlines() if x.startswith("LOADED "))
    names = set(line.split()[1:])
    assert "odibi_engine_spark.plugin" in names  # the plugins were registered...
    assert "odibi_state_local.options" in names  # ...and the options models used were loaded
    assert names.isdisjoint(UNUSED_BY_A_DUCKDB_RUN), sorted(names & set(UNUSED_BY_A_DUCKDB_RUN))
