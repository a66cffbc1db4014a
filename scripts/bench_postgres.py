"""Benchmark odibi-connector-postgres against pandas on the same PostgreSQL server.

Reads and writes the same N-row table (default 1,000,000 rows, eight columns of common types)
with the connector (binary COPY out, CSV COPY in, Arrow in between) and with
``pandas.read_sql`` / ``DataFrame.to_sql`` (SQLAlchemy + psycopg 3, pandas' defaults), and prints
rows per second and the ratios. Everything runs in one process against one server, so the ratio
is fair even on a busy machine; absolute numbers move with the load.

    scripts/services.sh start
    .venv/bin/python scripts/bench_postgres.py [--rows 1000000] [--repeat 3] [--dsn DSN]

The DSN defaults to ``ODIBI_TEST_PG_DSN`` (from the environment or ``.services/env``).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DSN_VARIABLE = "ODIBI_TEST_PG_DSN"


def service_dsn() -> str | None:
    """The test server's DSN from the environment or ``.services/env``."""
    if os.environ.get(DSN_VARIABLE):
        return os.environ[DSN_VARIABLE]
    env_file = ROOT / ".services" / "env"
    if env_file.is_file():
        for line in env_file.read_text().splitlines():
            key, _, value = line.partition("=")
            if key.strip() == DSN_VARIABLE:
                return value.strip()
    return None


def timed(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """Median wall time of ``repeat`` calls of ``fn`` and the last result."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument(
        "--repeat", type=int, default=1, help="runs of each measurement (median shown)"
    )
    parser.add_argument("--dsn", default=None)
    args = parser.parse_args()
    dsn = args.dsn or service_dsn()
    if not dsn:
        sys.exit(f"no DSN: pass --dsn, or run scripts/services.sh start to set {DSN_VARIABLE}")

    import pandas as pd
    import psycopg
    import sqlalchemy
    from odibi_connector_postgres.connection import PostgresConnection
    from odibi_connector_postgres.options import PostgresOptions
    from odibi_core.contracts.requests import ReadRequest, WriteRequest

    schema = f"odibi_bench_{uuid.uuid4().hex[:8]}"
    source = f"{schema}.source"
    admin = psycopg.connect(dsn, autocommit=True)
    engine = sqlalchemy.create_engine(dsn.replace("postgresql://", "postgresql+psycopg://", 1))
    connection = PostgresConnection("bench", PostgresOptions(dsn=dsn))
    try:
        admin.execute(f"CREATE SCHEMA {schema}")
        admin.execute(f"""CREATE TABLE {source} AS SELECT i::bigint AS id,
            (i % 1000)::int AS bucket, (i * 0.01)::numeric(14, 2) AS amount, i * 0.5 AS ratio,
            'customer ' || (i % 50000) AS label, i % 3 = 0 AS flag,
            date '2020-01-01' + (i % 2000) AS day,
            timestamptz '2026-01-01' + i * interval '1 second' AS at
            FROM generate_series(1, {args.rows}) AS i""")
        admin.execute(f"VACUUM ANALYZE {source}")
        n = args.rows
        version = admin.execute("SHOW server_version").fetchone()
        print(
            f"PostgreSQL {version[0] if version else '?'}, {n:,} rows x 8 columns, "
            f"median of {args.repeat} run(s), load average {os.getloadavg()[0]:.1f}"
        )

        odibi_read, table = timed(
            lambda: connection.read_arrow(ReadRequest(table=source)).read_all(), args.repeat
        )
        assert table.num_rows == n
        pandas_read, frame = timed(
            lambda: pd.read_sql(f"SELECT * FROM {source}", engine), args.repeat
        )
        assert len(frame) == n

        def odibi_write() -> int:
            return connection.write_arrow(
                table.to_reader(), WriteRequest(mode="overwrite", table=f"{schema}.by_odibi")
            )

        odibi_write_s, written = timed(odibi_write, args.repeat)
        assert written == n

        def pandas_write() -> Any:
            return frame.to_sql(
                "by_pandas", engine, schema=schema, if_exists="replace", index=False
            )

        pandas_write_s, _ = timed(pandas_write, args.repeat)
        count = admin.execute(f"SELECT count(*) FROM {schema}.by_pandas").fetchone()
        assert count is not None
        assert count[0] == n

        print(f"{'':<8}{'odibi-connector-postgres':>28}{'pandas':>22}{'ratio':>10}")
        for label, ours, theirs, baseline in (
            ("read", odibi_read, pandas_read, "pandas.read_sql"),
            ("write", odibi_write_s, pandas_write_s, "DataFrame.to_sql"),
        ):
            print(
                f"{label:<8}{n / ours:>16,.0f} rows/s {ours:5.2f}s{n / theirs:>12,.0f} rows/s "
                f"{theirs:6.2f}s {theirs / ours:7.1f}x  (vs {baseline})"
            )
    finally:
        admin.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        admin.close()
        engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
