#!/usr/bin/env python3
"""Benchmark one pipeline on every engine: wall time and peak memory of `odibi run`.

The workload is the kernel benchmark's: an orders CSV (2,000,000 rows by default) joined with a
customers CSV (50,000 rows), filtered and grouped, written as Parquet. Each engine runs the same
project through the real CLI (a subprocess, as a user or scheduler runs it); a hand-written DuckDB
script doing the same work is the baseline of the same run. Peak memory is the largest sum of the
resident set sizes of the process and all its children (Spark's JVM included), sampled every 20 ms.
Outputs of every engine are checked to be equal before the table is printed.

    .venv/bin/python benchmarks/bench_engines.py                      # all engines, 2,000,000 rows
    .venv/bin/python benchmarks/bench_engines.py --rows 200000 --engines duckdb,pandas
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / ".bench" / "engines"

PROJECT = """\
project: bench
engine: {engine}
connections:
  raw: {{type: local, base_path: ./data}}
  out: {{type: local, base_path: ./out_{engine}}}
pipelines:
  - pipeline: bench
    nodes:
      - name: orders
        read: {{connection: raw, format: csv, path: orders.csv}}
      - name: customers
        read: {{connection: raw, format: csv, path: customers.csv}}
      - name: totals
        depends_on: [orders, customers]
        transform:
          steps:
            - |
              SELECT c.region, c.segment, count(*) AS orders, sum(o.amount) AS revenue
              FROM orders o JOIN customers c ON c.customer_id = o.customer_id
              WHERE o.status <> 'cancelled'
              GROUP BY c.region, c.segment
        write: {{connection: out, format: parquet, path: totals.parquet}}
"""

BASELINE = """\
import duckdb
con = duckdb.connect()
con.execute('''COPY (
  SELECT c.region, c.segment, count(*) AS orders, sum(o.amount) AS revenue
  FROM read_csv('data/orders.csv') o
  JOIN read_csv('data/customers.csv') c ON c.customer_id = o.customer_id
  WHERE o.status <> 'cancelled' GROUP BY c.region, c.segment
) TO 'out_baseline/totals.parquet' (FORMAT PARQUET)''')
"""


def generate(rows: int, customers: int) -> None:
    """Write the input CSVs with DuckDB (deterministic: seeded by row numbers)."""
    import duckdb

    data = WORK / "data"
    marker = data / f".rows-{rows}-{customers}"
    if marker.exists():
        return
    data.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    con.execute(f"""COPY (
        SELECT i AS customer_id, ['north', 'south', 'east', 'west'][1 + i % 4] AS region,
               ['retail', 'wholesale', 'online'][1 + (i * 7) % 3] AS segment
        FROM range({customers}) t(i)) TO '{data}/customers.csv' (HEADER)""")
    con.execute(f"""COPY (
        SELECT i AS order_id, (i * 7919) % {customers} AS customer_id,
               ['completed', 'shipped', 'pending', 'cancelled'][1 + (i * 31) % 4] AS status,
               round(((i * 104729) % 100000) / 100.0, 2) AS amount
        FROM range({rows}) t(i)) TO '{data}/orders.csv' (HEADER)""")
    for old in data.glob(".rows-*"):
        old.unlink()
    marker.touch()


def tree_rss_kb(pid: int) -> int:
    """Sum of VmRSS of ``pid`` and every descendant, in kB (0 once it is gone)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                ppid = int(handle.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        stack.extend(children.get(current, []))
        try:
            with open(f"/proc/{current}/status") as handle:
                for line in handle:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except OSError:
            continue
    return total


def measure(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Run ``command`` in the work folder; return (wall seconds, peak tree RSS in MB)."""
    peak = 0
    start = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=WORK, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, tree_rss_kb(process.pid))
            time.sleep(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = process.communicate()
    wall = time.perf_counter() - start
    done.set()
    sampler.join()
    if process.returncode != 0:
        sys.exit(f"{' '.join(command)} failed ({process.returncode}):\n{out}\n{err}")
    return wall, peak / 1024


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--customers", type=int, default=50_000)
    parser.add_argument("--engines", default="duckdb,pandas,spark")
    parser.add_argument(
        "--repeat", type=int, default=1, help="Runs per engine; the median is shown."
    )
    args = parser.parse_args()
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]

    generate(args.rows, args.customers)
    env = {
        **os.environ,
        "SPARK_LOCAL_IP": os.environ.get("SPARK_LOCAL_IP", "127.0.0.1"),
        "PYTHONUNBUFFERED": "1",
    }
    results: dict[str, list[tuple[float, float]]] = {}
    (WORK / "out_baseline").mkdir(exist_ok=True)
    runs = [("hand-written duckdb", [sys.executable, "-c", BASELINE])]
    for engine in engines:
        (WORK / f"odibi_{engine}.yaml").write_text(PROJECT.format(engine=engine))
        runs.append(
            (
                f"odibi run ({engine})",
                [sys.executable, "-m", "odibi_core.cli.entry", "run", f"odibi_{engine}.yaml"],
            )
        )
    for _ in range(args.repeat):
        for label, command in runs:
            results.setdefault(label, []).append(measure(command, env))
            print(
                f"  {label}: {results[label][-1][0]:.2f} s, {results[label][-1][1]:.0f} MB",
                file=sys.stderr,
            )

    check_outputs(["baseline", *engines])
    base_wall, base_mem = median(results["hand-written duckdb"])
    print(
        f"\n{args.rows:,} orders x {args.customers:,} customers, join + filter + group-by -> "
        "Parquet, "
        f"{os.cpu_count()} cores, median of {args.repeat}"
    )
    print(f"{'run':<24} {'wall s':>8} {'peak MB':>9} {'time x':>8} {'mem x':>7}")
    for label in results:
        wall, mem = median(results[label])
        print(
            f"{label:<24} {wall:>8.2f} {mem:>9.0f} {wall / base_wall:>8.2f} {mem / base_mem:>7.2f}"
        )


def median(values: list[tuple[float, float]]) -> tuple[float, float]:
    """Median wall time and median peak memory."""
    walls, mems = sorted(v[0] for v in values), sorted(v[1] for v in values)
    return walls[len(walls) // 2], mems[len(mems) // 2]


def check_outputs(labels: list[str]) -> None:
    """Every run must have written the same totals (float tolerance as in the parity tests)."""
    sys.path.insert(0, str(ROOT / "packages" / "odibi-core" / "src"))
    from odibi_core.testing.parity import assert_same_output, read_output

    expected = read_output(WORK / "out_baseline" / "totals.parquet", "parquet")
    for label in labels[1:]:
        assert_same_output(
            expected, read_output(WORK / f"out_{label}" / "totals.parquet", "parquet"), label
        )
    print(textwrap.fill(f"outputs equal: {', '.join(labels)}"), file=sys.stderr)


if __name__ == "__main__":
    main()
