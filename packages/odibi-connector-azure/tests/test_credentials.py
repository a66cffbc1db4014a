"""Credentials: delta-rs settings for each kind, redaction of every secret form, safe URLs."""

from __future__ import annotations

from odibi_connector_azure.credentials import object_store_options, register_credentials, safe_url
from odibi_connector_azure.options import AzureBlobOptions
from odibi_core.redaction import redact_text


def _options(**values):
    return AzureBlobOptions.model_validate({"container": "data", **values})


def test_object_store_settings_for_each_kind():
    emulator = "http://10.1.2.3:8080/acct"  # a private endpoint
    key = object_store_options(
        _options(account_name="acct", account_key="k3y", account_url=emulator)
    )
    assert key["account_key"] == "k3y"
    assert key["endpoint"] == emulator
    assert key["allow_http"] == "true"
    sas = object_store_options(_options(account_name="acct", sas_token="?sv=1&sig=abc"))
    assert sas["sas_token"] == "sv=1&sig=abc"
    assert "endpoint" not in sas
    principal = object_store_options(
        _options(account_name="acct", tenant_id="t", client_id="c", client_secret="s3cret")
    )
    assert (principal["tenant_id"], principal["client_id"], principal["client_secret"]) == (
        "t",
        "c",
        "s3cret",
    )
    text = f"DefaultEndpointsProtocol=http;AccountName=acct;AccountKey=k3y;BlobEndpoint={emulator};"
    from_string = object_store_options(_options(connection_string=text))
    assert from_string["account_name"] == "acct"
    assert from_string["account_key"] == "k3y"
    assert from_string["endpoint"] == emulator


def test_every_secret_form_is_redacted(clean_redaction):
    register_credentials(
        _options(account_name="acct", sas_token="sv=2026&sig=Zm9vYmFyc2lnbmF0dXJl")
    )
    line = "GET https://acct.blob.core.windows.net/data/x?sv=2026&sig=Zm9vYmFyc2lnbmF0dXJl failed"
    assert "Zm9vYmFyc2lnbmF0dXJl" not in redact_text(line)
    register_credentials(
        _options(
            account_name="acct", tenant_id="t", client_id="c", client_secret="a-client-secret-value"
        )
    )
    assert "a-client-secret-value" not in redact_text("secret a-client-secret-value leaked")


def test_safe_url_drops_query_and_user_info():
    assert (
        safe_url("https://u:p@acct.blob.core.windows.net/c/x?sv=1&sig=abc#f")
        == "https://acct.blob.core.windows.net/c/x"
    )


def test_the_emulator_account_uses_delta_rs_emulator_mode(monkeypatch):
    import os

    monkeypatch.delenv("AZURITE_BLOB_STORAGE_URL", raising=False)
    emulator = "http://127.0.0.1:10999/devstoreaccount1"
    settings = object_store_options(
        _options(account_name="devstoreaccount1", account_key="k3y", account_url=emulator)
    )
    assert settings["use_emulator"] == "true"
    assert "endpoint" not in settings
    assert os.environ["AZURITE_BLOB_STORAGE_URL"] == "http://127.0.0.1:10999"
