"""Credential fields of config models: masked in every printed form, registered for redaction."""

from __future__ import annotations

import json
from typing import Any

import pytest
from odibi_core.config.models import ConnectionConfig
from odibi_core.plugins.options import PluginOptions, Secret
from odibi_core.redaction import MASK, redact_text
from pydantic import SecretStr, ValidationError

pytestmark = pytest.mark.usefixtures("clean_redaction")

VALUE = "s3cr3t-conn-pw"


class WarehouseOptions(PluginOptions):
    host: str
    port: int = 5432
    dsn_password: Secret
    api_token: Secret | None = None
    extras: dict[str, Any] = {}


def test_secret_field_is_masked_in_every_printed_form() -> None:
    opts = WarehouseOptions(host="db", dsn_password=VALUE)
    printed = [
        repr(opts),
        str(opts),
        opts.model_dump_json(),
        json.dumps(opts.model_dump(mode="json")),
        repr(opts.model_dump()),
        str(opts.dsn_password),
        f"{opts.dsn_password}",
        repr(opts.dsn_password),
    ]
    for text in printed:
        assert VALUE not in text
        assert MASK in text
    assert json.loads(opts.model_dump_json())["dsn_password"] == MASK
    assert opts.dsn_password.get_secret_value() == VALUE


def test_secret_field_registers_its_value_for_redaction_whatever_its_name() -> None:
    WarehouseOptions(host="db", dsn_password="x", api_token="registered-by-type-1")
    assert redact_text("driver said registered-by-type-1") == f"driver said {MASK}"


def test_a_secret_nested_in_an_any_field_is_still_masked_in_json() -> None:
    opts = WarehouseOptions(
        host="db", dsn_password=VALUE, extras={"inner": Secret("nested-value-22")}
    )
    assert "nested-value-22" not in opts.model_dump_json()


def test_secret_fields_accept_only_strings() -> None:
    with pytest.raises(ValidationError):
        WarehouseOptions(host="db", dsn_password=12345)


def test_plain_pydantic_secretstr_is_masked_but_not_registered() -> None:
    class Plain(PluginOptions):
        secret_ish: SecretStr

    opts = Plain(secret_ish="plain-secret-str")
    assert "plain-secret-str" not in repr(opts) + opts.model_dump_json()
    assert redact_text("plain-secret-str") == "plain-secret-str"  # why Secret is the better choice


def test_connection_config_repr_masks_sensitive_plugin_keys() -> None:
    conn = ConnectionConfig(type="postgres", host="db", password="in-repr-1", token_ttl=3600)
    text = repr(conn)
    assert "in-repr-1" not in text
    assert "host='db'" in text
    assert "token_ttl=3600" in text
