#!/usr/bin/env python3
"""Benchmark: what safe publication costs a file write, against a bare DuckDB ``COPY``.

For a single Parquet file, a single CSV file and a folder partitioned by a column, it times, in
one process and in alternating order, several times each:

* Odibi's write through the duckdb engine and a ``local`` connection: staging beside the target,
  cleanup of dead writers' staging names, fsync of every file written, atomic publication
  (a swap of the two names for the folder), fsync of the folder, deletion of the old output;
* the baseline: the same ``COPY`` straight onto the target (no staging, no fsync, the old folder
  overwritten in place);

and prints the median wall times and their ratio. Nothing asserts a target.

    .venv/bin/python benchmarks/bench_writes.py [--rows 2000000] [--repeats 5]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / ".bench" / "writes"

SELECT = ("SELECT i AS id, i % 16 AS part, 'name ' || i AS name, i * 0.25 AS amount "
          "FROM range({rows}) t(i)")
CASES = {
    "parquet file": ("parquet", "out.parquet", {}),
    "csv file": ("csv", "out.csv", {}),
    "partitioned folder": ("parquet", "parts", {"partition_by": "part"}),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()

    from odibi_core.connections.local import LocalConnection
    from odibi_core.contracts.requests import WriteRequest
    from odibi_core.engines.duckdb_engine import DuckDBEngine
    from odibi_core.engines.sql_literals import sql_literal

    shutil.rmtree(BENCH, ignore_errors=True)
    (BENCH / "odibi").mkdir(parents=True)
    (BENCH / "copy").mkdir(parents=True)
    engine = DuckDBEngine()
    frame = engine.persist(engine.sql(SELECT.format(rows=args.rows), {}))  # computed once
    lake = LocalConnection("lake", BENCH / "odibi")
    print(f"{args.rows:,} rows, {args.repeats} repeats, median seconds")
    print(f"{'case':<20} {'odibi':>8} {'COPY':>8} {'ratio':>6}")
    for case, (fmt, path, options) in CASES.items():
        times: dict[str, list[float]] = {"odibi": [], "copy": []}
        for repeat in range(args.repeats):
            order = ["odibi", "copy"] if repeat % 2 == 0 else ["copy", "odibi"]
            for who in order:
                began = time.perf_counter()
                if who == "odibi":
                    request = WriteRequest(format=fmt, path=path, options=options or None)
                    engine.write(frame, lake, request)
                else:
                    extra = "".join(f", {k.upper()} {v}" for k, v in options.items())
                    extra += ", OVERWRITE_OR_IGNORE true" if options else ""
                    target = sql_literal(str(BENCH / "copy" / path))
                    engine._con.execute(
                        f"COPY (SELECT * FROM {frame.ref}) TO {target} (FORMAT {fmt.upper()}"
                        f"{', HEADER true' if fmt == 'csv' else ''}{extra})")
                times[who].append(time.perf_counter() - began)
        odibi, copy = statistics.median(times["odibi"]), statistics.median(times["copy"])
        print(f"{case:<20} {odibi:8.3f} {copy:8.3f} {odibi / copy:6.2f}")
    engine.close()


if __name__ == "__main__":
    main()
