#!/usr/bin/env python3
"""Benchmark: `odibi run` against a hand-written DuckDB script doing the same work.

Generates a 2,000,000-row orders CSV and a 50,000-row customers CSV (cached under .bench/),
then runs, as separate processes and in alternating order, several times each:

* ``odibi run`` of a project that joins, filters and aggregates them into Parquet;
* a hand-written DuckDB script doing the same query (the baseline);

and prints median wall time, CPU time, peak memory (max RSS of the process) and the ratios.
Nothing here asserts a target: the figures are for people to read.

    .venv/bin/python benchmarks/bench_pipeline.py [--rows 2000000] [--repeats 5] [--json out.json]
    .venv/bin/python benchmarks/bench_pipeline.py --rows 20000000 --data /tmp/orders20m \\
        --delete-data
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from harness import CACHE, ODIBI, generate_orders, interleaved, measure, parser, plugin_env, report

BENCH = CACHE / "pipeline"

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
{chr(10).join("                " + line for line in QUERY.strip().splitlines())}
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


def main() -> None:
    p = parser(__doc__, repeats=5)
    p.add_argument("--rows", type=int, default=2_000_000)
    p.add_argument("--customers", type=int, default=50_000)
    p.add_argument(
        "--data",
        type=Path,
        default=None,
        help="folder for the generated CSVs (default .bench/pipeline/data-ROWS; "
        "they are kept for the next run unless --delete-data)",
    )
    p.add_argument(
        "--delete-data", action="store_true", help="delete the generated CSVs at the end"
    )
    args = p.parse_args()

    data = generate_orders(args.data or BENCH / f"data-{args.rows}", args.rows, args.customers)
    project_dir = BENCH / "project"
    project_dir.mkdir(parents=True, exist_ok=True)
    (project_dir / "data").unlink(missing_ok=True)
    (project_dir / "data").symlink_to(data.resolve())
    (project_dir / "odibi.yaml").write_text(PROJECT)
    script = BENCH / "handwritten.py"
    script.write_text(HANDWRITTEN)
    env = plugin_env()
    try:
        results = interleaved(
            {
                "hand-written duckdb": lambda: measure(
                    [sys.executable, str(script), str(data), str(BENCH / "hand.parquet")]
                ),
                "odibi run": lambda: measure(
                    [*ODIBI, "run", str(project_dir / "odibi.yaml")], env=env
                ),
            },
            args.repeats,
        )
        report(
            f"input: {args.rows:,} orders x {args.customers:,} customers",
            results,
            baseline="hand-written duckdb",
            json_path=args.json,
            extra={
                "targets": "2M rows: <= 1.2x wall, <= 1.3x memory; 20M rows: <= 1.1x wall, "
                "<= 1.3x memory"
            },
        )
    finally:
        if args.delete_data:
            shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
