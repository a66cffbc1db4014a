#!/usr/bin/env python3
"""Benchmark PostgreSQL reads: the connector against ADBC and connectorx; `odibi run` end to end.

Creates a table of N rows (default 1,000,000; columns int, text, numeric(14,2), timestamptz, int,
the shape of issue 18's measurement) on the test server, then reads it, each read in a fresh
process, in interleaved rounds (the order rotates every round), with:

* ``odibi``            the connector's ``read_arrow`` (streamed record batches, as a run uses it);
* ``adbc-stream``      ``adbc_driver_postgresql.dbapi``: ``execute`` + ``fetch_record_batch()``;
* ``adbc-table``       the same, materialised with ``fetch_arrow_table()``;
* ``connectorx``       ``connectorx.read_sql(..., return_type="arrow")`` (materialised);
* ``connectorx-stream`` ``return_type="arrow_stream"`` (record batches of 65,536 rows);

and prints, per reader, the median read time (inside the process, imports excluded), the median
peak RSS of the process and its growth over the imports, and the ratios against the connector.

``--e2e`` also times whole processes: ``odibi run`` of a one-node project reading the table into
Parquet, against a four-line ADBC script doing the same (the issue's reference: 3.23 s / 353 MiB
against 1.39 s / 205 MiB). Nothing here asserts a target: the figures are for people to read.

    scripts/services.sh start
    .venv/bin/python scripts/bench_postgres_read.py [--rows 1000000] [--rounds 5] [--e2e]

The DSN defaults to ``ODIBI_TEST_PG_DSN`` (from the environment or ``.services/env``).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DSN_VARIABLE = "ODIBI_TEST_PG_DSN"
READERS = ("odibi", "adbc-stream", "adbc-table", "connectorx", "connectorx-stream")

CHILD = r"""
import json, resource, sys, time
reader, dsn, table = sys.argv[1:4]

def peak_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

import pyarrow  # every reader needs it; counted in the baseline
if reader == "odibi":
    from odibi_connector_postgres.connection import PostgresConnection
    from odibi_connector_postgres.options import PostgresOptions
    from odibi_core.contracts.requests import ReadRequest
    import psycopg  # noqa: F401 - imports of the reader, outside the timing
    try:
        import adbc_driver_postgresql.dbapi  # noqa: F401
    except ImportError:
        pass
elif reader.startswith("adbc"):
    import adbc_driver_postgresql.dbapi as dbapi
else:
    import connectorx as cx

baseline = peak_mib()
start = time.perf_counter()
rows = batches = 0
if reader == "odibi":
    connection = PostgresConnection("bench", PostgresOptions(dsn=dsn))
    for batch in connection.read_arrow(ReadRequest(table=table)):
        rows += batch.num_rows
        batches += 1
elif reader.startswith("adbc"):
    with dbapi.connect(dsn) as conn, conn.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table}")
        if reader == "adbc-stream":
            for batch in cursor.fetch_record_batch():
                rows += batch.num_rows
                batches += 1
        else:
            data = cursor.fetch_arrow_table()
            rows, batches = data.num_rows, len(data.to_batches())
elif reader == "connectorx":
    data = cx.read_sql(dsn, f"SELECT * FROM {table}", return_type="arrow")
    rows, batches = data.num_rows, len(data.to_batches())
else:
    stream = cx.read_sql(dsn, f"SELECT * FROM {table}", return_type="arrow_stream",
                         batch_size=65536)
    for batch in stream:
        rows += batch.num_rows
        batches += 1
seconds = time.perf_counter() - start
print(json.dumps({"seconds": seconds, "rows": rows, "batches": batches,
                  "baseline_mib": baseline, "peak_mib": peak_mib()}))
"""

ADBC_SCRIPT = r"""
import sys
import adbc_driver_postgresql.dbapi as dbapi, pyarrow.parquet as pq
with dbapi.connect(sys.argv[1]) as conn, conn.cursor() as cursor:
    cursor.execute(f"SELECT * FROM {sys.argv[2]}")
    pq.write_table(cursor.fetch_arrow_table(), sys.argv[3])
"""

PROJECT = """\
project: bench_pg
connections:
  warehouse: {{type: postgres, dsn: "${{env:BENCH_PG_DSN}}"}}
  lake: {{type: local, base_path: ./lake}}
pipelines:
  - pipeline: export
    nodes:
      - name: orders
        read: {{connection: warehouse, table: {table}}}
        write: {{connection: lake, format: parquet, path: orders.parquet}}
"""


def service_dsn() -> str | None:
    """The test server's DSN from the environment or ``.services/env``."""
    sys.path.insert(0, str(ROOT / "packages" / "odibi-core" / "src"))
    from odibi_core.testing.services import service_variable

    return service_variable(DSN_VARIABLE, start=ROOT / "scripts")


def run_reader(reader: str, dsn: str, table: str) -> dict[str, float]:
    """One read in a fresh process; its JSON report."""
    out = subprocess.run(
        [sys.executable, "-c", CHILD, reader, dsn, table],
        capture_output=True,
        text=True,
        timeout=900,
    )
    if out.returncode != 0:
        raise SystemExit(f"{reader} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def bench_readers(dsn: str, table: str, rounds: int, readers: list[str]) -> None:
    """Interleaved rounds of every reader; a table of medians and ratios."""
    results: dict[str, list[dict[str, float]]] = {r: [] for r in readers}
    for round_ in range(rounds):
        order = readers[round_ % len(readers) :] + readers[: round_ % len(readers)]
        for reader in order:
            results[reader].append(run_reader(reader, dsn, table))
    base = results[readers[0]]
    base_s = statistics.median(r["seconds"] for r in base)
    base_peak = statistics.median(r["peak_mib"] for r in base)
    print(
        f"{'reader':<19}{'rows':>10}{'batches':>9}{'read s':>9}{'peak MiB':>10}"
        f"{'growth':>8}{'time ratio':>12}{'peak ratio':>12}"
    )
    for reader in readers:
        runs = results[reader]
        seconds = statistics.median(r["seconds"] for r in runs)
        peak = statistics.median(r["peak_mib"] for r in runs)
        growth = statistics.median(r["peak_mib"] - r["baseline_mib"] for r in runs)
        print(
            f"{reader:<19}{int(runs[0]['rows']):>10,}{int(runs[0]['batches']):>9}{seconds:>9.2f}"
            f"{peak:>10.0f}{growth:>8.0f}{seconds / base_s:>11.2f}x{peak / base_peak:>11.2f}x"
        )
    print(f"(ratios against {readers[0]}; medians of {rounds} interleaved rounds)")


def bench_end_to_end(dsn: str, table: str, rounds: int) -> None:
    """``odibi run`` into Parquet against the four-line ADBC script, whole processes."""
    sys.path.insert(0, str(ROOT / "scripts"))
    from bench_pipeline import measure  # wall time and peak RSS of a whole process

    odibi = str(Path(sys.executable).with_name("odibi"))
    with tempfile.TemporaryDirectory(prefix="odibi-bench-pg-") as folder:
        work = Path(folder)
        (work / "odibi.yaml").write_text(PROJECT.format(table=table))
        (work / "lake").mkdir()
        env = {**os.environ, "BENCH_PG_DSN": dsn}
        commands = {
            "odibi run": [odibi, "run", str(work / "odibi.yaml")],
            "adbc script": [sys.executable, "-c", ADBC_SCRIPT, dsn, table, str(work / "a.parquet")],
        }
        times: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
        names = list(commands)
        for round_ in range(rounds):
            for name in names if round_ % 2 == 0 else names[::-1]:
                times[name].append(measure(commands[name], env))
        wall = {n: statistics.median(t for t, _ in runs) for n, runs in times.items()}
        peak = {n: statistics.median(m for _, m in runs) for n, runs in times.items()}
        for name in names:
            print(f"{name:<14}{wall[name]:>8.2f} s{peak[name]:>8.0f} MiB")
        print(
            f"odibi run / adbc script: {wall['odibi run'] / wall['adbc script']:.2f}x wall, "
            f"{peak['odibi run'] / peak['adbc script']:.2f}x peak memory"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--dsn", default=None)
    parser.add_argument("--readers", default=",".join(READERS), help="comma-separated subset")
    parser.add_argument("--e2e", action="store_true", help="also time odibi run end to end")
    args = parser.parse_args()
    dsn = args.dsn or service_dsn()
    if not dsn:
        sys.exit(f"no DSN: pass --dsn, or run scripts/services.sh start to set {DSN_VARIABLE}")

    import psycopg

    schema = f"odibi_bench_{uuid.uuid4().hex[:8]}"
    table = f"{schema}.orders"
    with psycopg.connect(dsn, autocommit=True) as admin:
        try:
            admin.execute(f"CREATE SCHEMA {schema}")
            admin.execute(f"""CREATE TABLE {table} AS SELECT i AS id,
                'customer ' || (i % 50000) AS label, (i * 0.01)::numeric(14, 2) AS amount,
                timestamptz '2026-01-01' + i * interval '1 second' AS at, i % 1000 AS bucket
                FROM generate_series(1, {args.rows}) AS i""")
            admin.execute(f"VACUUM ANALYZE {table}")
            version = admin.execute("SHOW server_version").fetchone()
            print(
                f"PostgreSQL {version[0] if version else '?'}, {args.rows:,} rows "
                "(int, text, numeric(14,2), timestamptz, int), "
                f"load average {os.getloadavg()[0]:.1f}, {os.cpu_count()} cores"
            )
            bench_readers(dsn, table, args.rounds, [r for r in args.readers.split(",") if r])
            if args.e2e:
                bench_end_to_end(dsn, table, args.rounds)
        finally:
            admin.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
