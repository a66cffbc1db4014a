"""Building the SDK client: credential forms, redaction of every credential, printable URLs."""

from __future__ import annotations

import sys

import pytest
from odibi_core.errors import ConfigError
from odibi_core.redaction import redact_text
from odibi_state_azure.client import (
    _credential,
    account_name_from_url,
    build_service_client,
    register_credentials,
    safe_url,
)
from odibi_state_azure.options import AzureBlobStateOptions

KEY = "c2VjcmV0LWFjY291bnQta2V5LWZvci10ZXN0cy0wMTIzNDU2Nzg5"
SIG = "q1w2e3r4t5y6u7i8o9p0Zs%3D"


def test_every_credential_form_is_registered_for_redaction(clean_redaction: None) -> None:
    conn = (
        f"DefaultEndpointsProtocol=https;AccountName=acct;AccountKey={KEY};"
        "EndpointSuffix=core.windows.net"
    )
    register_credentials(AzureBlobStateOptions(connection_string=conn))
    assert KEY not in redact_text(f"boom: {conn}")
    assert KEY not in redact_text(f"the key was {KEY}")  # the bare key, seen anywhere

    sas = f"sv=2024-01-01&ss=b&srt=co&sp=rwdlac&se=2030-01-01&sig={SIG}"
    register_credentials(
        AzureBlobStateOptions(account_url="https://acct.blob.core.windows.net", sas_token="?" + sas)
    )
    assert SIG not in redact_text(f"GET /c/b?{sas}")
    assert SIG not in redact_text(f"token {sas}")

    key2 = "YW5vdGhlci1rZXktd2l0aG91dC1hbnktc3RydWN0dXJl"
    register_credentials(
        AzureBlobStateOptions(account_url="https://acct.blob.core.windows.net", account_key=key2)
    )
    assert key2 not in redact_text(f"signing with {key2}")

    sig3 = "AnotherSignatureInTheUrl1234%2B"
    register_credentials(
        AzureBlobStateOptions(
            account_url=f"https://acct.blob.core.windows.net/?sv=2024&sp=rw&sig={sig3}"
        )
    )
    assert sig3 not in redact_text(f"failed: sv=2024&sp=rw&sig={sig3} at the end")


def test_safe_url_drops_queries_and_user_info() -> None:
    assert (
        safe_url(f"https://user:pw@acct.blob.core.windows.net/?sv=1&sig={SIG}")
        == "https://acct.blob.core.windows.net"
    )
    assert (
        safe_url("http://127.0.0.1:10000/devstoreaccount1/")
        == "http://127.0.0.1:10000/devstoreaccount1"
    )


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("https://acct.blob.core.windows.net", "acct"),
        ("https://acct.blob.core.usgovcloudapi.net/", "acct"),
        ("http://127.0.0.1:10000/devstoreaccount1", "devstoreaccount1"),
        ("http://localhost:10000/devstoreaccount1/", "devstoreaccount1"),
        ("http://127.0.0.1:10000", None),
    ],
)
def test_account_name_comes_from_the_url(url: str, name: str | None) -> None:
    assert account_name_from_url(url) == name


def test_account_key_without_a_derivable_account_name_is_a_config_error() -> None:
    options = AzureBlobStateOptions(account_url="http://127.0.0.1:10000", account_key=KEY)
    with pytest.raises(ConfigError, match="account_name"):
        build_service_client(options)


def test_a_malformed_connection_string_is_a_config_error_without_its_value(
    clean_redaction: None,
) -> None:
    options = AzureBlobStateOptions(connection_string=f"not a connection string {KEY}")
    register_credentials(options)
    with pytest.raises(ConfigError) as caught:
        build_service_client(options)
    assert "connection_string" in caught.value.message
    assert KEY not in caught.value.message


def test_no_credential_uses_the_default_azure_credential_when_installed() -> None:
    from azure.identity import DefaultAzureCredential

    credential = _credential(
        AzureBlobStateOptions(account_url="https://acct.blob.core.windows.net")
    )
    try:
        assert isinstance(credential, DefaultAzureCredential)  # built only: no token is requested
    finally:
        credential.close()


def test_no_credential_without_azure_identity_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "azure.identity", None)  # makes `import azure.identity` fail
    with pytest.raises(ConfigError) as caught:
        _credential(AzureBlobStateOptions(account_url="https://acct.blob.core.windows.net"))
    assert "azure-identity" in caught.value.message
    assert "odibi-state-azure[identity]" in caught.value.hint


def test_a_sas_in_the_url_needs_no_other_credential() -> None:
    options = AzureBlobStateOptions(
        account_url=f"https://acct.blob.core.windows.net/?sv=1&sig={SIG}"
    )
    assert _credential(options) is None
