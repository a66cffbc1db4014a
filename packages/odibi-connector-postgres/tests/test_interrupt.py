"""interrupt() cancels a connection's running statements (Ctrl-C): reads stop, writes roll back."""

from __future__ import annotations

import threading
import time
from typing import Any

import pyarrow as pa
import pytest
from odibi_core.contracts.requests import ReadRequest, WriteRequest
from odibi_core.errors import OdibiError


def run_in_thread(work: Any) -> tuple[threading.Thread, list[BaseException | None]]:
    outcome: list[BaseException | None] = []

    def target() -> None:
        try:
            work()
            outcome.append(None)
        except BaseException as exc:  # reported by the test
            outcome.append(exc)

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    return thread, outcome


def test_a_long_query_is_cancelled(connection: Any) -> None:
    request = ReadRequest(query="SELECT pg_sleep(60) AS slept")
    thread, outcome = run_in_thread(lambda: connection.read_arrow(request).read_all())
    time.sleep(1.0)
    assert not outcome, "the query ended before it was cancelled"
    started = time.monotonic()
    connection.interrupt()
    thread.join(timeout=30)
    assert not thread.is_alive()
    assert time.monotonic() - started < 30
    assert isinstance(outcome[0], OdibiError), outcome
    assert "cancel" in outcome[0].message.lower()


def test_a_cancelled_write_leaves_the_table_as_it_was(
    connection: Any, pg: Any, pg_schema: str
) -> None:
    table = f"{pg_schema}.kept"
    pg.execute(f"CREATE TABLE {table} (k bigint)")
    pg.execute(f"INSERT INTO {table} VALUES (1), (2)")
    pg.execute(
        f"CREATE FUNCTION {pg_schema}.slow() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN PERFORM pg_sleep(60); RETURN NEW; END $$"
    )
    pg.execute(
        f"CREATE TRIGGER slow BEFORE INSERT ON {table} FOR EACH ROW "
        f"EXECUTE FUNCTION {pg_schema}.slow()"
    )
    reader = pa.table({"k": pa.array([10, 11], pa.int64())}).to_reader()
    request = WriteRequest(mode="overwrite", table=table)
    thread, outcome = run_in_thread(lambda: connection.write_arrow(reader, request))
    time.sleep(1.5)
    assert not outcome, "the write ended before it was cancelled"
    started = time.monotonic()
    connection.interrupt()
    thread.join(timeout=30)
    assert not thread.is_alive()
    assert time.monotonic() - started < 30
    assert isinstance(outcome[0], OdibiError), outcome
    assert [row[0] for row in pg.execute(f"SELECT k FROM {table} ORDER BY k").fetchall()] == [1, 2]


@pytest.mark.parametrize("calls", [1, 3])
def test_interrupt_without_running_work_is_harmless(connection: Any, calls: int) -> None:
    for _ in range(calls):
        connection.interrupt()
    assert connection.read_arrow(ReadRequest(query="SELECT 1 AS one")).read_all().to_pylist() == [
        {"one": 1}
    ]
