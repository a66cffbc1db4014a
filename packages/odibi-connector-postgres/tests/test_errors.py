"""Failures reach the user as one clear line without a credential; transient ones retry."""

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
    translate,
)
from odibi_connector_postgres.options import PostgresOptions
from odibi_core.contracts.requests import ReadRequest
from odibi_core.errors import TransientIOError
from odibi_core.execution.retry import is_transient

pytestmark = pytest.mark.postgres

WRONG_PASSWORD = "wrong-Pa55word-xyzzy"


def server(dsn: str, **overrides: Any) -> PostgresOptions:
    parts = urlsplit(dsn)
    settings = {
        "host": parts.hostname,
        "port": parts.port,
        "database": parts.path.lstrip("/"),
        "user": parts.username,
        "password": parts.password,
        **overrides,
    }
    return PostgresOptions(**settings)


def test_a_wrong_password_is_one_line_without_the_password(
    pg_dsn: str, clean_redaction: None
) -> None:
    connection = PostgresConnection("warehouse", server(pg_dsn, password=WRONG_PASSWORD))
    with pytest.raises(PostgresAuthenticationFailed) as info:
        connection.read_arrow(ReadRequest(table="anything"))
    error = info.value
    assert "password authentication failed" in error.message
    assert "\n" not in error.message
    assert "\n" not in error.hint
    assert WRONG_PASSWORD not in error.message + error.hint
    assert not is_transient(error)  # a wrong password is never retried


def test_the_password_stays_out_even_before_redaction(pg_dsn: str, clean_redaction: None) -> None:
    from odibi_core.redaction import reset_registry

    connection = PostgresConnection("warehouse", server(pg_dsn, password=WRONG_PASSWORD))
    reset_registry()  # what the driver says must be clean by itself, not only once masked
    with pytest.raises(PostgresAuthenticationFailed) as info:
        connection.connect()
    assert WRONG_PASSWORD not in str(info.value)


def test_a_refused_connection_is_transient(pg_dsn: str, closed_port: int) -> None:
    connection = PostgresConnection("warehouse", server(pg_dsn, port=closed_port))
    started = time.monotonic()
    with pytest.raises(PostgresUnavailable) as info:
        connection.connect()
    assert time.monotonic() - started < 5
    assert isinstance(info.value, TransientIOError)
    assert is_transient(info.value)
    assert "refused" in info.value.message.lower()


def test_an_unresponsive_server_fails_within_connect_timeout(pg_dsn: str, silent_port: int) -> None:
    connection = PostgresConnection(
        "warehouse", server(pg_dsn, port=silent_port, connect_timeout=2)
    )
    started = time.monotonic()
    with pytest.raises(PostgresUnavailable, match="timeout"):
        connection.connect()
    elapsed = time.monotonic() - started
    assert 1.5 <= elapsed < 2 + 5, elapsed  # generous margin, never hangs


def test_translate_sorts_driver_errors() -> None:
    import psycopg

    refused = translate(
        psycopg.OperationalError("connection refused"), connection="w", action="connect"
    )
    assert isinstance(refused, PostgresUnavailable)
    serialization = translate(
        psycopg.errors.SerializationFailure("could not serialize"),
        connection="w",
        action="write table t",
    )
    assert isinstance(serialization, TransientIOError)
    syntax = translate(psycopg.errors.SyntaxError("bad"), connection="w", action="read query")
    assert type(syntax) is PostgresError
    assert not is_transient(syntax)


def test_check_reports_version_role_and_rights_without_secrets(
    pg_dsn: str, clean_redaction: None
) -> None:
    options = server(pg_dsn)
    password = options.password.get_secret_value() if options.password else ""
    result = PostgresConnection("warehouse", options).check()
    assert result.ok
    assert result.detail.startswith("PostgreSQL 1")
    assert "as odibi" in result.detail
    assert "create tables in public" in result.detail
    assert password not in result.detail
    assert password not in str(result.data)
    assert result.data["server_version"][:2].isdigit()


def test_check_of_a_wrong_password_fails_without_the_password(pg_dsn: str) -> None:
    result = PostgresConnection("warehouse", server(pg_dsn, password=WRONG_PASSWORD)).check()
    assert not result.ok
    assert "password authentication failed" in result.detail
    assert WRONG_PASSWORD not in result.detail


def test_a_tls_mismatch_is_a_setting_to_fix_not_a_retry(pg_dsn: str) -> None:
    connection = PostgresConnection("warehouse", server(pg_dsn, sslmode="require"))
    with pytest.raises(PostgresError, match="SSL") as info:
        connection.connect()
    assert not is_transient(info.value)
    assert "sslmode" in info.value.hint


def test_an_invalid_dsn_fails_without_echoing_it(clean_redaction: None) -> None:
    connection = PostgresConnection(
        "warehouse", PostgresOptions(dsn="host=db password=Sekr1t-zz bogus")
    )
    with pytest.raises(PostgresError) as info:
        connection.connect()
    assert "Sekr1t-zz" not in str(info.value)
    assert not is_transient(info.value)
