#!/usr/bin/env python3
"""Benchmark: `odibi run` against a hand-written DuckDB script doing the same work.

Generates a 2,000,000-row orders CSV and a 50,000-row customers CSV (cached under .bench/),
then runs, as separate processes and in alternating order, several times each:

* ``odibi run`` of a project that joins, filters and aggregates them into Parquet;
* a hand-written DuckDB script doing the same query (the baseline);

and prints median wall time, median peak memory (max RSS of the process) and the ratios. It also
times ``odibi --help``. Nothing here asserts a target: the figures are for people to read.

    .venv/bin/python scripts/bench_pipeline.py [--rows 2000000] [--repeats 5]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / ".bench" / "pipeline"

QUERY = """
SELECT c.region, o.status, count(*) AS orders, sum(o.amount) AS revenue, avg(o.amount) AS avg_amount
FROM orders o JOIN customers c ON o.customer_id = c.customer_id
WHERE o.status IN ('completed', 'shipped') AND o.amount > 5
GROUP BY c.region, o.status
ORDER BY c.region, o.status
"""

PROJECT = f"""\
project: bench
connections:
  data: {{type: local, base_path: ./data}}
  out: {{type: local, base_path: ./out}}
pipelines:
  - pipeline: sales
    nodes:
      - name: orders
        read: {{connection: data, format: csv, path: orders.csv}}
      - name: customers
        read: {{connection: data, format: csv, path: customers.csv}}
      - name: region_status
        depends_on: [orders, customers]
        transform:
          steps:
            - sql: |
{chr(10).join('                ' + line for line in QUERY.strip().splitlines())}
        write: {{connection: out, format: parquet, path: region_status.parquet}}
"""

HANDWRITTEN = f"""
import duckdb, sys
data, out = sys.argv[1], sys.argv[2]
con = duckdb.connect()
con.execute(f"CREATE VIEW orders AS SELECT * FROM read_csv('{{data}}/orders.csv')")
con.execute(f"CREATE VIEW customers AS SELECT * FROM read_csv('{{data}}/customers.csv')")
con.execute(f\"\"\"COPY ({QUERY}) TO '{{out}}' (FORMAT PARQUET)\"\"\")
"""


def generate(rows: int, customers: int) -> Path:
    """Write the input CSVs once per size (cached)."""
    data = BENCH / f"data-{rows}"
    done = data / ".complete"
    if done.exists():
        return data
    data.mkdir(parents=True, exist_ok=True)
    rng = random.Random(42)
    regions = ["north", "south", "east", "west", "central"]
    with open(data / "customers.csv", "w") as f:
        f.write("customer_id,name,region\n")
        for i in range(1, customers + 1):
            f.write(f"{i},customer {i},{regions[i % len(regions)]}\n")
    statuses = ["completed", "shipped", "pending", "cancelled"]
    with open(data / "orders.csv", "w") as f:
        f.write("order_id,customer_id,amount,status,order_date\n")
        chunk = []
        for i in range(1, rows + 1):
            chunk.append(f"{i},{rng.randint(1, customers)},{rng.randint(100, 100000) / 100:.2f},"
                         f"{statuses[rng.randrange(4)]},2026-{1 + i % 12:02d}-{1 + i % 28:02d}\n")
            if len(chunk) == 100_000:
                f.writelines(chunk)
                chunk.clear()
        f.writelines(chunk)
    done.write_text("ok")
    return data


def measure(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """Run ``cmd``; return wall seconds and the process's peak RSS in MiB."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        err = proc.stderr.read().decode() if proc.stderr else ""
        raise SystemExit(f"{' '.join(cmd)} failed:\n{err}")
    return wall, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--customers", type=int, default=50_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()

    data = generate(args.rows, args.customers)
    project_dir = BENCH / "project"
    project_dir.mkdir(parents=True, exist_ok=True)
    (project_dir / "data").unlink(missing_ok=True)
    (project_dir / "data").symlink_to(data)
    (project_dir / "odibi.yaml").write_text(PROJECT)
    script = BENCH / "handwritten.py"
    script.write_text(HANDWRITTEN)
    odibi = [sys.executable, "-m", "odibi_core.cli.main"]
    env = {**os.environ, "ODIBI_DISABLE_PLUGIN_AUTOLOAD": os.environ.get("ODIBI_DISABLE_PLUGIN_AUTOLOAD", "")}

    runs: dict[str, list[tuple[float, float]]] = {"odibi run": [], "hand-written duckdb": []}
    for i in range(args.repeats):
        order = list(runs) if i % 2 == 0 else list(reversed(runs))
        for name in order:
            if name == "odibi run":
                runs[name].append(measure([*odibi, "run", str(project_dir / "odibi.yaml")], env))
            else:
                runs[name].append(measure([sys.executable, str(script), str(data), str(BENCH / "hand.parquet")]))

    helps = [measure([*odibi, "--help"])[0] for _ in range(10)]
    print(f"input: {args.rows:,} orders x {args.customers:,} customers, {args.repeats} runs each, medians")
    med = {name: (statistics.median(w for w, _ in r), statistics.median(m for _, m in r)) for name, r in runs.items()}
    for name, (wall, mem) in med.items():
        print(f"  {name:<22} wall {wall:6.2f} s   peak RSS {mem:7.1f} MiB")
    ratio_wall = med["odibi run"][0] / med["hand-written duckdb"][0]
    ratio_mem = med["odibi run"][1] / med["hand-written duckdb"][1]
    print(f"  ratio odibi / hand-written: wall {ratio_wall:.2f}x (target <= 1.2x), "
          f"peak memory {ratio_mem:.2f}x (target <= 1.5x)")
    print(f"  odibi --help: median {statistics.median(helps):.3f} s (target < 0.3 s)")


if __name__ == "__main__":
    main()
