"""Structural masking hides values under sensitive keys, never names or prose resembling them."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from odibi_core.redaction import (
    MASK,
    get_registry,
    is_sensitive_key,
    redact_text,
    redact_value,
    register_config_values,
)
from odibi_core.redaction.patterns import SENSITIVE_KEY_PARTS

pytestmark = pytest.mark.usefixtures("clean_redaction")

NAMES = ["pgdsn", "api_token", "secret_sales", "pwd_changes", "client_secret", "credentials"]


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize(
    "template",
    [
        "postgres connection {q}{name}{q}: connection failed: timeout expired",
        "node {q}{name}{q}: 5 rows written",
        "node {q}{name}{q}: validation warnings: not_null failed",
        "pipeline {q}{name}{q}: success in 1.2s",
        "unknown connection {q}{name}{q}; defined: raw, lake",
    ],
)
@pytest.mark.parametrize("q", ["'", '"', ""])
def test_a_name_that_looks_like_a_key_never_masks_the_prose_after_it(
    name: str, template: str, q: str
) -> None:
    text = template.format(name=name, q=q)
    assert redact_text(text) == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{'password': 'hunter2-x', 'user': 'u'}", f"{{'password': '{MASK}', 'user': 'u'}}"),
        ('{"pwd": 12345678, "n": 1}', f'{{"pwd": {MASK}, "n": 1}}'),
        ('{"pwd": 12345678}', f'{{"pwd": {MASK}}}'),
        ("password: 'quoted value'", f"password: '{MASK}'"),
        ("api_token=abc123def", f"api_token={MASK}"),
    ],
)
def test_values_under_sensitive_keys_are_still_masked(text: str, expected: str) -> None:
    assert redact_text(text) == expected


@pytest.mark.parametrize(
    "key",
    ["token_column", "password_file", "secret_name", "SharedAccessKeyName", "dsn_env", "tokenType"],
)
def test_keys_that_describe_a_credential_are_not_sensitive_and_their_names_stay_readable(
    key: str,
) -> None:
    assert not is_sensitive_key(key)
    register_config_values({"params": {key: "user_token_col"}})
    assert len(get_registry()) == 0
    assert redact_value({key: "user_token_col"}) == {key: "user_token_col"}


@pytest.mark.parametrize(
    "key", ["password", "db_password", "api_key", "secret_id", "SharedAccessKey"]
)
def test_keys_that_hold_a_credential_stay_sensitive(key: str) -> None:
    assert is_sensitive_key(key)
    assert redact_value({key: "value-1234"}) == {key: MASK}


def test_names_as_mapping_keys_never_mask_what_they_map_to() -> None:
    data = {
        "high_water_marks": {"api_token": "2026-01-31", "secret_sales": 42},
        "nodes": {"pgdsn": "success"},
        "versions": {"odibi-secret-vault": "1.2.3"},
        "sample": {"password": "hunter2-x"},
    }
    out = redact_value(data)
    assert out["high_water_marks"] == {"api_token": "2026-01-31", "secret_sales": 42}
    assert out["nodes"] == {"pgdsn": "success"}
    assert out["versions"] == {"odibi-secret-vault": "1.2.3"}
    assert out["sample"] == {"password": MASK}  # a column called password holds passwords


WORD = st.sampled_from(SENSITIVE_KEY_PARTS).map(lambda part: part.replace("apikey", "api_key"))
# (a bare number right after a quoted password-like key, `'pwd': 5`, is data: see above)
PROSE = st.tuples(
    st.sampled_from(["failed", "connection", "timeout", "rows", "ok", "written", "x"]),
    st.lists(st.sampled_from(["failed", "timeout", "rows", "5", "x", "in", "1.2s"]), max_size=5),
).map(lambda t: " ".join([t[0], *t[1]]))


@settings(max_examples=200, deadline=None)
@given(
    prefix=st.sampled_from(["", "pg", "my_", "prod-"]),
    word=WORD,
    suffix=st.sampled_from(["", "_sales", "2", "_x"]),
    quote=st.sampled_from(["'", '"', ""]),
    prose=PROSE,
)
def test_generated_names_never_mask_generated_prose(
    prefix: str, word: str, suffix: str, quote: str, prose: str
) -> None:
    name = f"{prefix}{word}{suffix}"
    text = f"connection {quote}{name}{quote}: {prose}"
    assert redact_text(text) == text


@pytest.mark.parametrize("indent", [None, 2])
def test_json_objects_under_names_that_look_like_keys_stay_readable(indent: int | None) -> None:
    data = {
        "nodes": {
            "api_token_samples": {"status": "success", "rows_out": 5},
            "pgdsn": {"status": "failed", "error": "connection 'pgdsn': timeout"},
        },
        "connection": {"password": "hunter2-x"},
    }
    text = json.dumps(data, indent=indent)
    expected = text.replace('"hunter2-x"', f'"{MASK}"')  # the value under a real key only
    assert redact_text(text) == expected
