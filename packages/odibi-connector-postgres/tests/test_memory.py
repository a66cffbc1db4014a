"""A read streams: its peak memory does not grow with the size of the table."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

READER = """
import json, resource, sys
from odibi_connector_postgres.connection import PostgresConnection
from odibi_connector_postgres.options import PostgresOptions
from odibi_core.contracts.requests import ReadRequest
import pyarrow, pyarrow.compute, psycopg, adbc_driver_manager, adbc_driver_postgresql  # baseline

def peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

baseline = peak_mb()
connection = PostgresConnection("warehouse", PostgresOptions(dsn=sys.argv[1]))
request = ReadRequest(table=sys.argv[2], options={"batch_rows": 10000})
rows = sum(batch.num_rows for batch in connection.read_arrow(request))
print(json.dumps({"rows": rows, "growth_mb": peak_mb() - baseline}))
"""


def test_reading_300_mb_of_rows_stays_within_a_small_bounded_footprint(
    pg_dsn: str, pg: Any, pg_schema: str
) -> None:
    table = f"{pg_schema}.wide"
    pg.execute(
        f"CREATE TABLE {table} AS SELECT i AS id, repeat(md5(i::text), 10) AS payload "
        "FROM generate_series(1, 1000000) AS i"
    )  # ~330 MB of text
    out = subprocess.run(
        [sys.executable, "-c", READER, pg_dsn, table],
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    ).stdout
    result = json.loads(out)
    assert result["rows"] == 1_000_000
    assert result["growth_mb"] < 100, result  # a few batches of ~3 MB each, never the table
