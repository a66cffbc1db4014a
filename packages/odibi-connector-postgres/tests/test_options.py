"""The config model: what a project file may say about a ``postgres`` connection."""

from __future__ import annotations

import pytest
from odibi_connector_postgres.connect import connection_kwargs, default_application_name
from odibi_connector_postgres.options import PostgresOptions
from pydantic import ValidationError


def test_host_settings_become_libpq_keywords() -> None:
    options = PostgresOptions(
        host="db",
        port=5433,
        database="analytics",
        user="etl",
        password="s3cret-pw",
        sslmode="require",
        connect_timeout=5,
    )
    assert connection_kwargs(options, "odibi run-1") == {
        "host": "db",
        "port": 5433,
        "dbname": "analytics",
        "user": "etl",
        "password": "s3cret-pw",
        "sslmode": "require",
        "connect_timeout": 5,
        "application_name": "odibi run-1",
        "client_encoding": "UTF8",
    }


def test_dsn_or_host_is_required() -> None:
    with pytest.raises(ValidationError, match="give dsn or host"):
        PostgresOptions(database="analytics")


def test_unknown_keys_are_rejected() -> None:
    with pytest.raises(ValidationError, match="pasword"):
        PostgresOptions.model_validate({"host": "db", "pasword": "x"})


def test_credentials_never_show_in_repr() -> None:
    options = PostgresOptions(dsn="postgresql://etl:hunter22@db/analytics", password="hunter22")
    assert "hunter22" not in repr(options)
    assert "hunter22" not in str(options.model_dump())


@pytest.mark.parametrize("value", [0, 1, 3601])
def test_connect_timeout_is_bounded(value: int) -> None:
    with pytest.raises(ValidationError):
        PostgresOptions(host="db", connect_timeout=value)


def test_sslmode_must_be_a_libpq_mode() -> None:
    with pytest.raises(ValidationError, match="verify-full"):
        PostgresOptions(host="db", sslmode="verify")


def test_application_name_defaults_to_odibi_and_the_run_id() -> None:
    assert (
        default_application_name("20260101T000000Z-abcd1234") == "odibi 20260101T000000Z-abcd1234"
    )
    assert default_application_name(None) == "odibi"
    assert len(default_application_name("x" * 100)) == 63
