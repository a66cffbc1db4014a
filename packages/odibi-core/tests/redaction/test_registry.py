"""The registry masks every registered value in every form, longest first, and never fails open."""

from __future__ import annotations

import base64
import json
import logging
from urllib.parse import quote, quote_plus

import pytest
from odibi_core.redaction import (
    MASK,
    MIN_SECRET_LENGTH,
    REDACTION_FAILED,
    RedactionRegistry,
    get_registry,
    redact_text,
    redact_value,
    register_config_values,
    register_secret,
)

pytestmark = pytest.mark.usefixtures("clean_redaction")

TRICKY = "p@ss w/\"q'+é\\x%2F"


def encoded_forms(secret: str) -> dict[str, str]:
    """The forms the issue names, plus a few more a driver or encoder produces."""
    raw = secret.encode()
    return {
        "raw": secret,
        "quote": quote(secret, safe=""),
        "quote-default": quote(secret),
        "quote_plus": quote_plus(secret),
        "json": json.dumps(secret)[1:-1],
        "json-unicode": json.dumps(secret, ensure_ascii=False)[1:-1],
        "repr": repr(secret)[1:-1],
        "repr-in-dict-repr": repr({"k": secret, "q": "\"'"})[7:-14],
        "json-of-repr": json.dumps(repr(secret)[1:-1])[1:-1],
        "base64": base64.b64encode(raw).decode(),
        "base64-urlsafe": base64.urlsafe_b64encode(raw).decode(),
    }


@pytest.mark.parametrize("form", list(encoded_forms(TRICKY)))
def test_every_encoded_form_of_a_registered_secret_is_masked(form: str) -> None:
    register_secret(TRICKY, source="test")
    text = encoded_forms(TRICKY)[form]
    out = redact_text(f"before {text} after")
    assert out == f"before {MASK} after"


@pytest.mark.parametrize("prefix", ["", "u", "us", "usr", "user:", "admin:x"])
def test_base64_of_a_secret_inside_a_longer_blob_is_masked_at_every_alignment(prefix: str) -> None:
    secret = "s3cret-value-42"
    register_secret(secret)
    blob = base64.b64encode(f"{prefix}{secret}::tail".encode()).decode()
    out = redact_text(f"Authorization-ish {blob}")
    assert MASK in out
    # what is left is only characters that also depend on the prefix or the tail
    leftover = out.split(" ", 1)[1].replace(MASK, " ")
    for piece in leftover.split():
        assert piece not in base64.b64encode(secret.encode()).decode()


def test_longer_secret_wins_over_its_prefix_in_either_registration_order() -> None:
    for order in (["abcde", "abcdefgh"], ["abcdefgh", "abcde"]):
        get_registry().clear()
        for value in order:
            register_secret(value)
        assert redact_text("abcdefgh") == MASK
        assert redact_text("xabcdefghx abcde") == f"x{MASK}x {MASK}"
        assert "fgh" not in redact_text("abcdefgh")


def test_overlapping_secrets_leave_no_piece_of_either() -> None:
    register_secret("xyzab1")
    register_secret("ab1cdefg")
    out = redact_text("--xyzab1cdefg--")
    assert out == f"--{MASK}--"


def test_adjacent_secrets_merge_into_one_mask() -> None:
    register_secret("left-secret")
    register_secret("right-secret")
    assert redact_text("left-secretright-secret!") == f"{MASK}!"


def test_short_values_are_ignored_with_exactly_one_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger="odibi.redaction"):
        assert register_secret("ab", source="secret SHORT_ONE") is False
        assert register_secret("xyz", source="secret SHORT_TWO") is False
    warnings = [r for r in caplog.records if r.name == "odibi.redaction"]
    assert len(warnings) == 1
    assert "SHORT_ONE" in warnings[0].getMessage()
    assert "ab" not in warnings[0].getMessage().replace("abbr", "")
    assert str(MIN_SECRET_LENGTH) in warnings[0].getMessage()
    assert redact_text("ab xyz") == "ab xyz"


def test_empty_and_blank_values_are_ignored_silently(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="odibi.redaction"):
        assert register_secret("") is False
        assert register_secret("   ") is False
        assert register_secret(None) is False
    assert not caplog.records
    assert len(get_registry()) == 0


def test_minimum_length_is_four_and_exactly_four_is_masked() -> None:
    assert MIN_SECRET_LENGTH == 4
    assert register_secret("wxyz") is True
    assert redact_text("a wxyz b") == f"a {MASK} b"


def test_surrounding_whitespace_and_lines_of_multiline_secrets_are_masked() -> None:
    register_secret("  spaced-secret\n")
    register_secret("line-one-of-key\nline-two-of-key")
    assert redact_text("[spaced-secret]") == f"[{MASK}]"
    assert redact_text("got line-two-of-key only") == f"got {MASK} only"


def test_secret_str_is_unwrapped_not_registered_as_its_mask() -> None:
    from pydantic import SecretStr

    register_secret(SecretStr("wrapped-secret"))
    assert redact_text("wrapped-secret") == MASK
    assert redact_text("**********") == "**********"


def test_redaction_failure_prints_the_failure_marker_never_the_text(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    register_secret("will-not-leak")
    registry = get_registry()

    def broken(text: str) -> str:
        raise RuntimeError("bug")

    monkeypatch.setattr(registry, "_mask_known", broken)
    assert redact_text("value will-not-leak") == REDACTION_FAILED
    assert redact_value({1: "will-not-leak"}) == {1: REDACTION_FAILED}


def test_a_very_long_secret_and_a_deep_prefix_chain_still_mask() -> None:
    pem_like = "MII" + "A1b2C3d4" * 600  # 4,800 characters, no regex recursion limit
    register_secret(pem_like)
    chain = ["q" * n + "!" for n in range(4, 1500, 3)]  # each a prefix-sibling of the next
    for value in chain:
        register_secret(value)
    assert redact_text(f"<{pem_like}>") == f"<{MASK}>"
    assert redact_text("x" + chain[-1] + "x") == f"x{MASK}x"
    assert redact_text("q" * 10 + "!") == MASK


def test_registering_one_more_secret_after_many_does_not_lose_any() -> None:
    values = [f"bulk-secret-{i:05d}" for i in range(400)]
    for value in values:
        register_secret(value)
    assert redact_text(values[123]) == MASK
    register_secret("late-comer-secret")  # goes into a small extra matcher
    assert redact_text(f"{values[7]} late-comer-secret") == f"{MASK} {MASK}"
    for i in range(200):
        register_secret(f"later-{i:04d}-secret")  # consolidated eventually
        assert redact_text(f"later-{i:04d}-secret {values[i]}") == f"{MASK} {MASK}"


def test_output_is_independent_of_registration_order() -> None:
    values = ["abcdefgh", "abcde", "cdefghij", "defg1234", "ab1cdefg"]
    text = "abcdefghij abcde1234 xab1cdefgh defg12345 " + quote("abcdefgh", safe="")
    outputs = set()
    for shift in range(len(values)):
        registry = RedactionRegistry()
        registry.add_many(values[shift:] + values[:shift])
        outputs.add(registry.redact(text))
    assert len(outputs) == 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("postgresql://u:hunter22@db/x", f"postgresql://u:{MASK}@db/x"),
        ("postgresql://u:p@ss@db/x", f"postgresql://u:{MASK}@db/x"),
        (
            "https://a.blob.core.windows.net/c/b?sv=2024&sig=Ab%2Fc&se=1",
            f"https://a.blob.core.windows.net/c/b?sv=2024&sig={MASK}&se=1",
        ),
        (
            "DefaultEndpointsProtocol=https;AccountName=a;AccountKey=Zm9v+YmE=;",
            f"DefaultEndpointsProtocol=https;AccountName=a;AccountKey={MASK};",
        ),
        ("Server=h;UID=sa;PWD={a;b}c};", f"Server=h;UID=sa;PWD={{{MASK}}}c}};"),
        ("Server=h;User ID=sa;Password=pa55word;", f"Server=h;User ID=sa;Password={MASK};"),
        (
            "host=h user=u password='two words' dbname=d",
            f"host=h user=u password='{MASK}' dbname=d",
        ),
        ('{"password": "hunter22", "user": "u"}', f'{{"password": "{MASK}", "user": "u"}}'),
        ("{'client_secret': 'abc123xyz'}", f"{{'client_secret': '{MASK}'}}"),
        ("Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.e30", f"Authorization: Bearer {MASK}"),
        (
            "-----BEGIN PRIVATE KEY-----\nMIIEvQ\n-----END PRIVATE KEY-----",
            f"-----BEGIN PRIVATE KEY-----{MASK}-----END PRIVATE KEY-----",
        ),
        # not credentials: left readable
        (
            "connections.db.password: ${secret:DB_PASSWORD} is not set",
            "connections.db.password: ${secret:DB_PASSWORD} is not set",
        ),
        ("password: required key is missing", "password: required key is missing"),
        (
            "write keys=[region] mode=upsert token_count=3",
            "write keys=[region] mode=upsert token_count=3",
        ),
        (
            "postgresql://etl@db.internal:5432/analytics",
            "postgresql://etl@db.internal:5432/analytics",
        ),
        (
            "DB_PASSWORD=\n\n# API_TOKEN: secret\nAPI_TOKEN=\n",
            "DB_PASSWORD=\n\n# API_TOKEN: secret\nAPI_TOKEN=\n",
        ),
    ],
)
def test_credentials_recognised_by_shape(text: str, expected: str) -> None:
    assert redact_text(text) == expected


def test_config_values_under_sensitive_keys_and_embedded_credentials_are_registered() -> None:
    register_config_values(
        {
            "connections": {
                "db": {"type": "postgres", "host": "db.internal", "Password": "from-yaml-1"},
                "lake": {"dsn": "postgresql://u:embedded-pw@h/db"},
                "blob": {"url": "https://a/c?sig=sig-value-9"},
            },
            "state": {"api_key": "key-value-2", "token_ttl": 3600, "pin_password": 87654321},
            "secrets": {"providers": ["env", "dotenv"]},
        }
    )
    out = redact_text(
        "from-yaml-1 embedded-pw sig-value-9 key-value-2 87654321 3600 dotenv db.internal"
    )
    assert out == f"{MASK} {MASK} {MASK} {MASK} {MASK} 3600 dotenv db.internal"


def test_redact_value_masks_nested_sensitive_keys_and_keeps_structure() -> None:
    register_secret("deep-secret-1")
    data = {
        "a": [{"b": ({"password": "not-registered"}, "x deep-secret-1 y")}],
        "token": 12345,
        "tokens_used": "7",
        "set": {"deep-secret-1"},
        "bytes": b"id=deep-secret-1",
        "n": 3,
        "ok": True,
        "none": None,
    }
    out = redact_value(data)
    assert out["a"][0]["b"][0] == {"password": MASK}
    assert out["a"][0]["b"][1] == f"x {MASK} y"
    assert isinstance(out["a"][0]["b"], tuple)
    assert out["token"] == 12345  # a number under "token" is a setting, not a secret
    assert out["tokens_used"] == MASK  # strings under sensitive names are masked whole
    assert out["set"] == {MASK}
    assert out["bytes"] == f"id={MASK}".encode()
    assert (out["n"], out["ok"], out["none"]) == (3, True, None)
    assert data["a"][0]["b"][0] == {"password": "not-registered"}  # input untouched
