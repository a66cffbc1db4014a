"""The ``state:`` options of ``azure_blob``: every bad combination is a clear error."""

from __future__ import annotations

import pytest
from odibi_state_azure.options import AzureBlobStateOptions
from pydantic import ValidationError

URL = "https://acct.blob.core.windows.net"


def test_connection_string_alone_is_enough_and_defaults_apply() -> None:
    options = AzureBlobStateOptions(connection_string="AccountName=a;AccountKey=b")
    assert (options.container, options.lease_duration, options.blob) == ("odibi-state", 30, None)
    assert options.blob_name("sales") == "sales/state.json"
    assert "AccountKey" not in repr(options)  # credentials are SecretStr: never in a repr


def test_an_explicit_blob_wins_over_the_project_default() -> None:
    options = AzureBlobStateOptions(account_url=URL, account_key="k" * 20, blob="team/odibi.json")
    assert options.blob_name("sales") == "team/odibi.json"


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({}, "exactly one of `account_url` and `connection_string`"),
        ({"account_url": URL, "connection_string": "x"}, "exactly one of"),
        ({"connection_string": "x", "account_key": "k"}, "`account_key` cannot be combined"),
        ({"connection_string": "x", "sas_token": "s"}, "`sas_token` cannot be combined"),
        (
            {"account_url": URL, "account_key": "k", "sas_token": "s"},
            "one of `account_key` and `sas_token`",
        ),
        ({"account_url": "acct.blob.core.windows.net"}, "http(s) URL"),
        ({"account_url": URL, "lease_duration": 14}, "greater than or equal to 15"),
        ({"account_url": URL, "lease_duration": 61}, "less than or equal to 60"),
        ({"account_url": URL, "lease_duration": -1}, "greater than or equal to 15"),
        ({"account_url": URL, "container": "Odibi_State"}, "container names are 3-63"),
        ({"account_url": URL, "container": "a--b"}, "container names are 3-63"),
        ({"account_url": URL, "blob": "/abs/state.json"}, "no leading or trailing /"),
        ({"account_url": URL, "blob": "folder/"}, "no leading or trailing /"),
        ({"account_url": URL, "lease": 30}, "Extra inputs are not permitted"),
    ],
)
def test_bad_settings_are_refused_with_a_message_naming_the_keys(
    settings: dict, message: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        AzureBlobStateOptions.model_validate(settings)
    assert message in str(caught.value)


def test_lease_duration_bounds_are_accepted() -> None:
    assert AzureBlobStateOptions(account_url=URL, lease_duration=15).lease_duration == 15
    assert AzureBlobStateOptions(account_url=URL, lease_duration=60).lease_duration == 60
