"""A running read can be cancelled from another thread, and an abandoned one stops the server."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from odibi_connector_postgres.errors import PostgresError
from odibi_core.contracts.requests import ReadRequest
from odibi_core.execution.retry import is_transient

pytestmark = pytest.mark.postgres

SLOW = (
    "SELECT i, pg_sleep(CASE WHEN i = 3 THEN 60 ELSE 0 END) IS NULL AS slept "
    "FROM generate_series(1, 5) AS i"
)


def backends(pg: Any, application_name: str) -> list[str]:
    """States of the server sessions named ``application_name`` (other than idle ones)."""
    rows = pg.execute(
        "SELECT state FROM pg_stat_activity WHERE application_name = %s AND state <> 'idle'",
        (application_name,),
    ).fetchall()
    return [row[0] for row in rows]


def test_cancel_reads_stops_a_running_read_at_once(connection: Any, pg: Any) -> None:
    reader = connection.read_arrow(ReadRequest(query=SLOW))
    timer = threading.Timer(1.0, connection.cancel_reads)
    started = time.monotonic()
    timer.start()
    try:
        with pytest.raises(PostgresError, match="57014") as info:
            reader.read_all()
    finally:
        timer.cancel()
    assert time.monotonic() - started < 30  # not the 60 s the query sleeps
    assert "canceling statement due to user request" in info.value.message
    assert not is_transient(info.value)  # a cancelled run is not retried
    assert connection.cancel_reads() == 0  # nothing is left running
    assert backends(pg, connection.application_name) == []


def test_a_reader_cancelled_before_it_streams_never_starts(connection: Any) -> None:
    assert connection.cancel_reads() == 0  # nothing open: harmless
    reader = connection.read_arrow(ReadRequest(query="SELECT 1 AS one"))
    assert connection.cancel_reads() == 1  # described, not streaming yet
    with pytest.raises(PostgresError, match="57014"):
        reader.read_all()
    assert connection.read_arrow(ReadRequest(query="SELECT 2 AS two")).read_all().num_rows == 1


def test_abandoning_a_reader_stops_the_servers_copy(connection: Any, pg: Any) -> None:
    query = "SELECT i, repeat('x', 200) AS pad FROM generate_series(1, 5000000) AS i"
    reader = connection.read_arrow(ReadRequest(query=query, options={"batch_rows": 1000}))
    first = reader.read_next_batch()
    assert first.num_rows == 1000
    started = time.monotonic()
    reader.close()
    del reader  # pyarrow closes a Python-fed reader's source when the reader is released
    deadline = time.monotonic() + 20
    while backends(pg, connection.application_name) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert backends(pg, connection.application_name) == []
    assert time.monotonic() - started < 20  # the rest of the 5M rows were not streamed


def test_an_error_half_way_through_keeps_its_sqlstate(connection: Any) -> None:
    query = (
        "SELECT 1 / (i - 200000) AS x, repeat('y', 100) AS pad FROM generate_series(1, 400000) AS i"
    )
    reader = connection.read_arrow(ReadRequest(query=query))
    assert reader.read_next_batch().num_rows > 0  # it fails while streaming, not before
    with pytest.raises(PostgresError, match=r"division by zero \(SQLSTATE 22012\)") as info:
        reader.read_all()
    assert not is_transient(info.value)
