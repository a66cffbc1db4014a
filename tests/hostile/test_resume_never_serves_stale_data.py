"""Promise: ``--resume`` never leaves a stale result, says what it would reuse, and is only
recommended where it helps.

The four-node project of the report that found the bug: after an input CSV changed, ``--resume``
reran the read node but kept the old aggregate ("Lagos 61000 instead of 50500") and exited 0.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pyarrow.parquet as pq
from odibi_core.testing.cli import run_odibi

PROJECT = """
project: cities
connections:
  raw: {type: local, base_path: ./data}
  lake: {type: local, base_path: ./lake}
pipelines:
  - pipeline: sales
    on_error: continue
    nodes:
      - name: orders
        read: {connection: raw, path: orders.csv}
      - name: by_city
        depends_on: [orders]
        transform:
          steps:
            - "SELECT city, sum(amount) AS revenue FROM orders GROUP BY city ORDER BY city"
        write: {connection: lake, path: by_city.parquet}
      - name: top_city
        depends_on: [by_city]
        transform:
          steps:
            - "SELECT city FROM by_city ORDER BY revenue DESC LIMIT 1"
        write: {connection: lake, path: top_city.parquet}
      - name: audit
        depends_on: [orders]
        transform:
          steps:
            - "SELECT count(*) AS n FROM orders"
        write: {connection: lake, path: audit.csv}
"""

ORDERS = "city,amount\nLagos,50000\nLagos,11000\nAccra,20000\n"
CHANGED = "city,amount\nLagos,50000\nLagos,500\nAccra,20000\n"


def revenue(root: Path) -> dict[str, int]:
    table = pq.read_table(root / "lake" / "by_city.parquet").to_pylist()
    return {row["city"]: row["revenue"] for row in table}


def age_inputs(root: Path) -> None:
    """Inputs written a minute ago (a file changed in the same instant as it is read counts as
    "cannot tell", which would make this test pass for the wrong reason)."""
    for data in (root / "data").iterdir():
        stat = data.stat()
        os.utime(data, (stat.st_atime - 60, stat.st_mtime - 60))


def test_a_changed_input_reruns_everything_that_depends_on_it(
    write_project: Callable[..., Path],
) -> None:
    project = write_project(PROJECT, files={"data/orders.csv": ORDERS})
    root = project.parent
    age_inputs(root)
    assert run_odibi(["run", str(project)]).returncode == 0
    assert revenue(root) == {"Accra": 20000, "Lagos": 61000}

    unchanged = run_odibi(["run", str(project), "--dry-run", "--resume"])
    assert unchanged.returncode == 0, unchanged.stderr
    assert "4 of 4 node(s) would be reused" in unchanged.stdout
    assert "reuse  succeeded in run" in unchanged.stdout

    (root / "data" / "orders.csv").write_text(CHANGED)
    age_inputs(root)
    before = {p.name: p.stat().st_mtime_ns for p in (root / "lake").iterdir()}
    preview = run_odibi(["run", str(project), "--dry-run", "--resume"])
    assert preview.returncode == 0, preview.stderr
    lines = {
        line.split()[0]: line
        for line in preview.stdout.splitlines()
        if line.startswith("  ") and ("  run  " in line or "  reuse  " in line)
    }
    assert "its source (raw) changed since its last success" in lines["orders"]
    assert "upstream orders runs in this run" in lines["by_city"]
    assert "upstream by_city runs in this run" in lines["top_city"]
    assert "upstream orders runs in this run" in lines["audit"]
    assert {p.name: p.stat().st_mtime_ns for p in (root / "lake").iterdir()} == before, (
        "a dry run writes nothing"
    )

    resumed = run_odibi(["run", str(project), "--resume"])
    assert resumed.returncode == 0, resumed.stderr
    assert revenue(root) == {"Accra": 20000, "Lagos": 50500}
    assert (root / "lake" / "audit.csv").read_text().splitlines() == ["n", "3"]


def test_failure_hints_recommend_resume_only_where_it_helps(
    write_project: Callable[..., Path],
) -> None:
    broken = PROJECT.replace("SELECT count(*) AS n FROM orders", "SELECT count(*) AS n FROM orderz")
    project = write_project(broken, files={"data/orders.csv": ORDERS})
    with_state = run_odibi(["run", str(project)])
    assert with_state.returncode == 1
    assert "`odibi run --resume` reruns the failed nodes" in hint(with_state.stderr)

    without_state = write_project(
        broken.replace("project: cities", "project: cities\nplugins: {deny: [odibi-state-local]}"),
        name="stateless.yaml",
    )
    result = run_odibi(["run", str(without_state)])
    assert result.returncode == 1
    assert "--resume" not in hint(result.stderr)
    assert "without run state every node runs again" in hint(result.stderr)


def hint(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.startswith("hint:")]
    assert len(lines) == 1, stderr
    return lines[0]
