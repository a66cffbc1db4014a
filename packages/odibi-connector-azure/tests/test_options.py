"""The connection options: one way to sign in, valid names, the credential kind in messages."""

from __future__ import annotations

import pytest
from odibi_connector_azure.options import AzureAdlsOptions, AzureBlobOptions
from pydantic import ValidationError


@pytest.mark.parametrize(
    ("options", "kind"),
    [
        ({"connection_string": "AccountName=a;AccountKey=k"}, "connection string"),
        ({"account_name": "acct", "account_key": "k"}, "account key"),
        ({"account_name": "acct", "sas_token": "?sv=1&sig=x"}, "SAS token"),
        (
            {"account_name": "acct", "tenant_id": "t", "client_id": "c", "client_secret": "s"},
            "service principal",
        ),
        ({"account_name": "acct"}, "DefaultAzureCredential"),
    ],
)
def test_each_credential_kind(options, kind):
    assert AzureBlobOptions.model_validate({"container": "data", **options}).credential_kind == kind


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (
            {"account_name": "acct", "account_key": "k", "sas_token": "s"},
            "not account_key and sas_token",
        ),
        (
            {"account_name": "acct", "client_id": "c"},
            "needs tenant_id, client_id and client_secret",
        ),
        ({"account_key": "k"}, "give account_name"),
        ({"account_name": "Bad_Name"}, "3-24 lower-case"),
        (
            {"account_name": "acct", "account_url": "https://x.blob.core.windows.net/?sig=abc"},
            "query string",
        ),
        (
            {"account_name": "acct", "container": "Bad--name"},
            "lower-case letters, digits and single hyphens",
        ),
        ({"account_name": "acct", "contianer": "x"}, "contianer"),
    ],
)
def test_invalid_options_are_refused(options, message):
    with pytest.raises(ValidationError, match=message):
        AzureBlobOptions.model_validate({"container": "data", **options})


def test_adls_uses_filesystem_and_base_path_is_normalised():
    options = AzureAdlsOptions.model_validate(
        {"account_name": "acct", "filesystem": "lake", "base_path": "/raw/2026/"}
    )
    assert options.root == "lake"
    assert options.base_path == "raw/2026"
