"""Every credential form works against Azurite, and a wrong one fails clearly without leaking it."""

from __future__ import annotations

import base64
import logging
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from odibi_core.redaction import redact_text
from odibi_core.testing.state_contract import bump, counter_value
from odibi_state_azure.errors import StateStoreError

pytestmark = pytest.mark.azurite

MakeBackend = Callable[..., Any]


def _account_sas(azurite: dict[str, str]) -> str:
    from azure.storage.blob import AccountSasPermissions, ResourceTypes, generate_account_sas

    return generate_account_sas(
        azurite["ODIBI_TEST_AZURITE_ACCOUNT_NAME"],
        azurite["ODIBI_TEST_AZURITE_ACCOUNT_KEY"],
        resource_types=ResourceTypes(service=True, container=True, object=True),
        permission=AccountSasPermissions(
            read=True, write=True, delete=True, list=True, add=True, create=True
        ),
        expiry=datetime.now(timezone.utc) + timedelta(hours=1),
    )


def _works(backend: Any) -> None:
    with backend.lock("pipeline.p", timeout=5, run_id="run-cred") as holder:
        backend.update(bump)
        assert [h.lock_id for h in backend.holders()] == [holder.lock_id]
    assert counter_value(backend.read()) == 1


def test_account_url_with_account_key(
    make_azure_backend: MakeBackend, azurite: dict[str, str]
) -> None:
    _works(
        make_azure_backend(
            account_url=azurite["ODIBI_TEST_AZURITE_BLOB_URL"],
            account_key=azurite["ODIBI_TEST_AZURITE_ACCOUNT_KEY"],
        )
    )


def test_account_url_with_sas_token(
    make_azure_backend: MakeBackend, azurite: dict[str, str], clean_redaction: None
) -> None:
    sas = _account_sas(azurite)
    backend = make_azure_backend(
        account_url=azurite["ODIBI_TEST_AZURITE_BLOB_URL"], sas_token="?" + sas
    )
    _works(backend)
    signature = dict(part.split("=", 1) for part in sas.split("&"))["sig"]
    assert signature not in redact_text(f"request failed: {sas}")
    assert "sig" not in backend.location


def test_sas_inside_the_account_url(
    make_azure_backend: MakeBackend, azurite: dict[str, str]
) -> None:
    sas = _account_sas(azurite)
    backend = make_azure_backend(account_url=f"{azurite['ODIBI_TEST_AZURITE_BLOB_URL']}?{sas}")
    _works(backend)
    assert "?" not in backend.location


def test_connection_string(make_azure_backend: MakeBackend) -> None:
    _works(make_azure_backend())


def test_a_wrong_key_fails_clearly_and_never_prints_the_key(
    make_azure_backend: MakeBackend,
    azurite: dict[str, str],
    clean_redaction: None,
    caplog: pytest.LogCaptureFixture,
) -> None:
    wrong = base64.b64encode(b"this is not the emulator account key at all!").decode()
    conn = azurite["ODIBI_TEST_AZURITE_CONNECTION_STRING"].replace(
        azurite["ODIBI_TEST_AZURITE_ACCOUNT_KEY"], wrong
    )
    backend = make_azure_backend(connection_string=conn)
    caplog.set_level(logging.DEBUG, logger="odibi")
    with pytest.raises(StateStoreError) as caught:
        backend.update(bump)
    message = caught.value.message
    assert "not allowed" in message
    assert "403" in message
    assert backend.location in message
    for text in (message, caught.value.hint, caplog.text):
        assert wrong not in text
    assert wrong not in redact_text(conn)


def test_an_unreachable_account_is_a_state_error_naming_the_location(
    make_azure_backend: MakeBackend,
) -> None:
    import socket

    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    backend = make_azure_backend(
        account_url=f"http://127.0.0.1:{port}/devstoreaccount1",
        account_key=base64.b64encode(b"k" * 32).decode(),
    )
    backend.service._config.retry_policy.total_retries = 0  # fail fast: the point is the message
    with pytest.raises(StateStoreError) as caught:
        backend.read()
    assert "cannot reach the state store" in caught.value.message
    assert f"127.0.0.1:{port}" in caught.value.message
    assert caught.value.exit_code == 6
