#!/usr/bin/env python3
"""Benchmark: Delta write + read back through `odibi run` against a hand-written deltalake script.

Generates a 2,000,000-row orders Parquet file (cached under .bench/delta/), then runs, as separate
processes in alternating order, several times each:

* ``odibi run`` of a project whose first node writes the rows to a local Delta table (overwrite)
  and whose second node reads the table back and aggregates it into a small Parquet file;
* the same project with ``read.options.columns`` naming the two columns the aggregate needs (the
  hand-written script gets that projection from DuckDB for free: it scans the dataset lazily);
* a hand-written script doing the same with deltalake (``write_deltalake`` from a DuckDB Arrow
  reader, ``DeltaTable.to_pyarrow_dataset`` scanned by DuckDB) — the baseline;

and prints median wall time, median peak memory (max RSS) and the ratios. Targets: wall <= 1.3x,
peak memory <= 1.5x. Nothing asserts them: the figures are for people to read.

    .venv/bin/python benchmarks/bench_delta.py [--rows 2000000] [--repeats 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

from bench_pipeline import measure

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / ".bench" / "delta"

PROJECT = """\
project: bench_delta
connections:
  data: {type: local, base_path: ./data}
  lake: {type: local, base_path: ./lake}
pipelines:
  - pipeline: delta
    nodes:
      - name: load
        read: {connection: data, path: orders.parquet}
        write: {connection: lake, path: orders, format: delta, mode: overwrite}
      - name: totals
        depends_on: [load]
        read: {connection: lake, path: orders, format: delta}
        transform:
          steps:
            - SELECT status, count(*) AS orders, sum(amount) AS revenue FROM this GROUP BY status
        write: {connection: lake, path: totals.parquet}
"""

HANDWRITTEN = """
import sys
import duckdb
from deltalake import DeltaTable, write_deltalake
source, table, out = sys.argv[1], sys.argv[2], sys.argv[3]
con = duckdb.connect()
reader = con.sql(f"SELECT * FROM read_parquet('{source}')").to_arrow_reader(100_000)
write_deltalake(table, reader, mode="overwrite")
dataset = DeltaTable(table).to_pyarrow_dataset()
con.register("orders", dataset)
con.execute("COPY (SELECT status, count(*) AS orders, sum(amount) AS revenue FROM orders "
            "GROUP BY status) "
            f"TO '{out}' (FORMAT PARQUET)")
"""


def generate(rows: int) -> Path:
    """The orders Parquet file (cached per size)."""
    import duckdb

    data = BENCH / f"data-{rows}"
    target = data / "orders.parquet"
    if not target.exists():
        data.mkdir(parents=True, exist_ok=True)
        duckdb.sql(
            f"COPY (SELECT range AS order_id, (range * 7919) % 50000 AS customer_id, "
            f"round(((range * 104729) % 100000) / 100.0, 2) AS amount, "
            f"['completed', 'shipped', 'pending', 'cancelled'][1 + range % 4] AS status, "
            f"DATE '2026-01-01' + CAST(range % 365 AS INTEGER) AS order_date FROM range({rows})) "
            f"TO '{target}' (FORMAT PARQUET)"
        )
    return data


def run_alternating(commands: dict[str, list[str]], repeats: int) -> dict[str, tuple[float, float]]:
    """Run every command ``repeats`` times, alternating the order; median (wall, peak MiB) each."""
    runs: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for i in range(repeats):
        for name in list(runs) if i % 2 == 0 else list(reversed(runs)):
            runs[name].append(measure(commands[name]))
    return {
        n: (statistics.median(w for w, _ in r), statistics.median(m for _, m in r))
        for n, r in runs.items()
    }


def print_medians(medians: dict[str, tuple[float, float]]) -> None:
    """One line per contender: median wall time and peak memory."""
    for name, (wall, mem) in medians.items():
        print(f"  {name:<24} wall {wall:6.2f} s   peak RSS {mem:7.1f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    data = generate(args.rows)
    project = BENCH / "project"
    project.mkdir(parents=True, exist_ok=True)
    (project / "data").unlink(missing_ok=True)
    (project / "data").symlink_to(data)
    (project / "odibi.yaml").write_text(PROJECT)
    (project / "projected.yaml").write_text(
        PROJECT.replace(
            "path: orders, format: delta}",
            "path: orders, format: delta, options: {columns: [status, amount]}}",
        )
    )
    script = BENCH / "handwritten.py"
    script.write_text(HANDWRITTEN)
    odibi = [sys.executable, "-m", "odibi_core.cli.entry", "--log-level", "WARNING", "run"]
    commands = {
        "odibi run": [*odibi, str(project / "odibi.yaml")],
        "odibi run, columns read": [*odibi, str(project / "projected.yaml")],
    }
    hand = [
        sys.executable,
        str(script),
        str(data / "orders.parquet"),
        str(BENCH / "hand-table"),
        str(BENCH / "hand-totals.parquet"),
    ]
    commands["hand-written deltalake"] = hand
    med = run_alternating(commands, args.repeats)
    print(
        f"input: {args.rows:,} rows written to Delta and read back, "
        f"{args.repeats} runs each, medians"
    )
    print_medians(med)
    base_wall, base_mem = med["hand-written deltalake"]
    for name in ("odibi run", "odibi run, columns read"):
        print(
            f"  ratio {name} / hand-written: "
            f"wall {med[name][0] / base_wall:.2f}x (target <= 1.3x), "
            f"peak memory {med[name][1] / base_mem:.2f}x (target <= 1.5x)"
        )


if __name__ == "__main__":
    main()
