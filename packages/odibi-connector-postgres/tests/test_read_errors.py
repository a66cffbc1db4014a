"""Reads fail like writes: one redacted line, the same transient-or-not classification.

Options are the test server's DSN with keys beside it, which override the DSN's own settings.
"""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import urlsplit

import pytest
from odibi_connector_postgres.connection import PostgresConnection
from odibi_connector_postgres.errors import (
    PostgresAuthenticationFailed,
    PostgresError,
    PostgresUnavailable,
)
from odibi_connector_postgres.options import PostgresOptions
from odibi_connector_postgres.read_session import adbc_message, as_psycopg_error
from odibi_core.contracts.requests import ReadRequest
from odibi_core.execution.retry import is_transient

pytestmark = pytest.mark.postgres

WRONG_PASSWORD = "wrong-Pa55word-read-xyzzy"


def read(options: PostgresOptions, query: str = "SELECT 1 AS one") -> Any:
    return PostgresConnection("warehouse", options).read_arrow(ReadRequest(query=query)).read_all()


def test_a_refused_read_is_transient(pg_dsn: str, closed_port: int) -> None:
    with pytest.raises(PostgresUnavailable) as info:
        read(PostgresOptions(dsn=pg_dsn, port=closed_port))
    assert is_transient(info.value)
    assert info.value.message.startswith("postgres connection 'warehouse': connect failed: ")
    assert "refused" in info.value.message.lower()
    assert "\n" not in info.value.message


def test_an_unresponsive_server_fails_the_read_within_connect_timeout(
    pg_dsn: str, silent_port: int
) -> None:
    started = time.monotonic()
    with pytest.raises(PostgresUnavailable, match="timeout"):
        read(PostgresOptions(dsn=pg_dsn, port=silent_port, connect_timeout=2))
    assert time.monotonic() - started < 2 + 5


def test_a_wrong_password_never_reaches_the_message_even_unredacted(
    pg_dsn: str, clean_redaction: None
) -> None:
    from odibi_core.redaction import reset_registry

    options = PostgresOptions(dsn=pg_dsn, password=WRONG_PASSWORD)
    connection = PostgresConnection("warehouse", options)
    reset_registry()  # the driver's own text must be clean, not only once masked
    with pytest.raises(PostgresAuthenticationFailed) as info:
        connection.read_arrow(ReadRequest(table="anything"))
    text = str(info.value) + repr(info.value.__cause__) + str(info.value.__cause__)
    assert WRONG_PASSWORD not in text
    assert not is_transient(info.value)


def test_a_password_inside_the_dsn_is_masked_in_read_errors(
    pg_dsn: str, clean_redaction: None
) -> None:
    parts = urlsplit(pg_dsn)
    dsn = pg_dsn.replace(f":{parts.password}@", f":{WRONG_PASSWORD}@")
    with pytest.raises(PostgresAuthenticationFailed) as info:
        read(PostgresOptions(dsn=dsn))
    assert WRONG_PASSWORD not in str(info.value) + info.value.hint


def test_a_tls_mismatch_on_read_is_a_setting_to_fix(pg_dsn: str) -> None:
    with pytest.raises(PostgresError, match="SSL") as info:
        read(PostgresOptions(dsn=pg_dsn, sslmode="require"))
    assert not is_transient(info.value)
    assert "sslmode" in info.value.hint


def test_an_invalid_dsn_fails_the_read_without_echoing_it(clean_redaction: None) -> None:
    with pytest.raises(PostgresError) as info:
        read(PostgresOptions(dsn="host=db password=Sekr1t-zz bogus"))
    assert "Sekr1t-zz" not in str(info.value)
    assert not is_transient(info.value)


def test_options_in_the_dsn_are_kept_and_reads_stay_read_only(
    pg_dsn: str, pg: Any, pg_schema: str
) -> None:
    pg.execute(f"CREATE SEQUENCE {pg_schema}.s")
    dsn = f"{pg_dsn}?options=-c%20search_path%3D{pg_schema}%2Cpublic"
    row = read(PostgresOptions(dsn=dsn), "SELECT current_setting('search_path') AS path")
    assert row.to_pylist() == [{"path": f"{pg_schema},public"}]
    with pytest.raises(PostgresError, match="25006"):
        read(PostgresOptions(dsn=dsn), "SELECT nextval('s') AS x")


def test_driver_messages_lose_their_status_prefix_and_query_echo() -> None:
    import adbc_driver_manager

    status = adbc_driver_manager.AdbcStatusCode
    error = adbc_driver_manager.ProgrammingError(
        "INVALID_ARGUMENT: Failed to prepare query: ERROR:  boom\n\nQuery was: SELECT 'secret'. "
        "SQLSTATE: 42601",
        status_code=status.INVALID_ARGUMENT,
        sqlstate="42601",
    )
    assert adbc_message(error) == "ERROR:  boom"
    converted = as_psycopg_error(error)
    assert converted.sqlstate == "42601"
    lost = adbc_driver_manager.OperationalError(
        "IO: [libpq] Failed to connect: server closed the connection unexpectedly",
        status_code=status.IO,
    )
    assert adbc_message(lost) == "server closed the connection unexpectedly"
    assert type(as_psycopg_error(lost)).__name__ == "OperationalError"
