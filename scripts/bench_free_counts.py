#!/usr/bin/env python3
"""Benchmark: what the row count of a Parquet read node costs (it is taken from the footers).

Writes a Parquet folder of ``--rows`` rows in ``--files`` files (cached under .bench/), then times,
in alternating order, several times each, in one process:

* ``engine.read`` of the folder (the baseline: what a read node did before it was counted);
* ``engine.read`` + ``engine.cheap_count`` (what a read node does now);
* a full pass over the data (``SELECT sum(amount)``), for scale;

and prints medians and the ratios to the baseline. Nothing here asserts a target.

    .venv/bin/python scripts/bench_free_counts.py [--rows 5000000] [--files 8] [--repeats 7]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / ".bench" / "free_counts"


def _data(rows: int, files: int) -> Path:
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder = BENCH / f"{rows}-{files}"
    if folder.exists():
        return folder
    folder.mkdir(parents=True)
    per = rows // files
    for i in range(files):
        ids = pa.array(range(i * per, (i + 1) * per), pa.int64())
        pq.write_table(
            pa.table({"id": ids, "amount": pa.compute.multiply(ids, 0.5)}),
            folder / f"part-{i}.parquet",
            row_group_size=250_000,
        )
    return folder


def _median(action: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    """Print the medians and ratios."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--files", type=int, default=8)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    from odibi_core.connections.local import LocalConnection
    from odibi_core.contracts.engine import ReadRequest
    from odibi_core.engines.duckdb_engine import DuckDBEngine

    folder = _data(args.rows, args.files)
    engine = DuckDBEngine()
    lake = LocalConnection("lake", folder.parent)
    request = ReadRequest(format="parquet", path=f"{folder.name}/*.parquet")

    def read() -> object:
        return engine.read(lake, request)

    def read_and_count() -> object:
        frame = engine.read(lake, request)
        assert engine.cheap_count(frame) == args.files * (args.rows // args.files)
        return frame

    def full_pass() -> object:
        return engine.compute(engine.read(lake, request), {"total": "sum(amount)"})

    results: dict[str, list[float]] = {"read": [], "read + count": [], "full pass": []}
    for _ in range(3):  # alternate, so machine load hits every variant alike
        results["read"].append(_median(read, args.repeats))
        results["read + count"].append(_median(read_and_count, args.repeats))
        results["full pass"].append(_median(full_pass, args.repeats))
    engine.close()
    base = statistics.median(results["read"])
    print(
        f"{args.rows:,} rows in {args.files} Parquet files, median of {3 * args.repeats} runs each"
    )
    for name, values in results.items():
        value = statistics.median(values)
        print(f"  {name:<13} {value * 1000:8.2f} ms   x{value / base:5.2f} of read")


if __name__ == "__main__":
    main()
