"""The mask: ``[REDACTED]`` by default everywhere, set by ODIBI_REDACTION_MASK or secrets.mask."""

from __future__ import annotations

import html
import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from odibi_core.config.loader import load_project
from odibi_core.contracts.state import redact_state_data
from odibi_core.engines.sql_literals import sql_literal
from odibi_core.errors import ConfigError
from odibi_core.plugins.options import PluginOptions, Secret
from odibi_core.redaction import (
    DEFAULT_MASK,
    RedactionRegistry,
    current_mask,
    redact_text,
    redact_value,
    register_secret,
)
from odibi_core.redaction.mask import MASK_ENV, apply_mask, mask_problem
from odibi_core.testing.cli import run_odibi

pytestmark = pytest.mark.usefixtures("clean_redaction")

SECRET = "hunter2-hunter2"


@pytest.fixture
def no_mask_variable(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """No ODIBI_REDACTION_MASK while the test runs; the default mask again afterwards."""
    monkeypatch.delenv(MASK_ENV, raising=False)
    yield monkeypatch
    monkeypatch.delenv(MASK_ENV, raising=False)
    apply_mask()


class Options(PluginOptions):
    password: Secret


def every_output(secret: str) -> dict[str, str]:
    """The secret through each kind of in-process sink, as text."""
    return {
        "text": redact_text(f"login with {secret} failed"),
        "structural": json.dumps(redact_value({"password": "not-registered-1"})),
        "pattern": redact_text("postgresql://u:pattern-pw-9@h/db"),
        "quoted pattern": redact_text("{'client_secret': 'abc123xyz'}"),
        "secret field": repr(Options(password="field-secret-1")),
        "secret json": Options(password="field-secret-2").model_dump_json(),
        "state": json.dumps(redact_state_data({"nodes": {"n": {"error": f"x {secret}"}}})),
    }


def test_the_default_mask_is_redacted_in_brackets_in_every_sink(no_mask_variable: object) -> None:
    assert DEFAULT_MASK == "[REDACTED]" == current_mask()
    register_secret(SECRET)
    for sink, text in every_output(SECRET).items():
        assert "[REDACTED]" in text, sink
        assert "***" not in text, sink


def test_the_environment_variable_sets_the_mask_for_every_sink(
    no_mask_variable: pytest.MonkeyPatch,
) -> None:
    no_mask_variable.setenv(MASK_ENV, "#secret#")
    assert apply_mask() == "#secret#"
    register_secret(SECRET)
    for sink, text in every_output(SECRET).items():
        assert "#secret#" in text, sink
        assert "[REDACTED]" not in text, sink


def write(tmp_path: Path, mask_line: str) -> Path:
    (tmp_path / "odibi.yaml").write_text(
        "project: masks\n"
        "connections: {raw: {type: local, base_path: .}}\n"
        "secrets:\n"
        "  providers: [env]\n"
        f"{mask_line}"
        "pipelines:\n"
        "  - pipeline: p\n"
        "    nodes:\n"
        "      - name: n\n"
        "        read: {connection: raw, path: a.csv}\n"
    )
    return tmp_path / "odibi.yaml"


def test_the_project_file_sets_the_mask_when_loaded(
    tmp_path: Path, no_mask_variable: object
) -> None:
    load_project(write(tmp_path, "  mask: '(hidden)'\n"))
    assert current_mask() == "(hidden)"
    register_secret(SECRET)
    assert redact_text(SECRET) == "(hidden)"


def test_the_environment_variable_wins_over_the_project_file(
    tmp_path: Path, no_mask_variable: pytest.MonkeyPatch
) -> None:
    no_mask_variable.setenv(MASK_ENV, "XXXXXXXX")
    load_project(write(tmp_path, "  mask: '(hidden)'\n"))
    assert current_mask() == "XXXXXXXX"


BAD_MASKS = [
    "",
    "   ",
    'a"b',
    "it's",
    "back\\slash",
    "<x>",
    "a&b",
    "two\nlines",
    "x" * 65,
    "tab\tx",
]


@pytest.mark.parametrize("mask", BAD_MASKS)
def test_a_mask_that_would_break_an_output_is_refused(mask: str) -> None:
    assert mask_problem(mask) is not None


@pytest.mark.parametrize("mask", ['a"b', "<x>"])
def test_a_bad_mask_in_the_project_file_is_a_config_error_naming_file_and_line(
    tmp_path: Path, no_mask_variable: object, mask: str
) -> None:
    with pytest.raises(ConfigError) as info:
        load_project(write(tmp_path, f"  mask: {json.dumps(mask)}\n"))
    assert "odibi.yaml:5" in info.value.message
    assert "mask" in info.value.message
    assert current_mask() == DEFAULT_MASK


def test_a_bad_mask_variable_stops_the_cli_with_exit_3_naming_it(tmp_path: Path) -> None:
    proc = run_odibi(["validate", str(write(tmp_path, ""))], extra_env={MASK_ENV: "<b>"})
    assert proc.returncode == 3, proc.stderr
    assert f"error: {MASK_ENV}: the redaction mask must not contain < >" in proc.stderr


@settings(max_examples=150, deadline=None)
@given(
    mask=st.text(min_size=1, max_size=12).filter(lambda m: mask_problem(m) is None),
    secret=st.text(min_size=4, max_size=30).filter(lambda s: len(s.strip()) >= 4),
    before=st.text(max_size=20),
    after=st.text(max_size=20),
)
def test_any_valid_mask_is_inserted_verbatim_into_json_html_and_sql(
    mask: str, secret: str, before: str, after: str
) -> None:
    assert json.dumps(mask, ensure_ascii=False)[1:-1] == mask  # no escaping needed in JSON...
    assert html.escape(mask) == mask  # ...in HTML...
    assert sql_literal(mask) == f"'{mask}'"  # ...or in a SQL literal
    apply_mask(mask)
    try:
        registry = RedactionRegistry()
        registry.add(secret)
        out = registry.redact(f"{before}{secret}{after}")
        assert mask in out
        if secret not in mask:
            assert secret not in out
    finally:
        apply_mask(DEFAULT_MASK)


def test_a_changed_mask_is_used_at_once(no_mask_variable: object) -> None:
    register_secret(SECRET)
    seen: list[str] = []
    use: Callable[[str], None] = lambda mask: (apply_mask(mask), seen.append(redact_text(SECRET)))  # noqa: E731
    for mask in ("[A]", "[B]", DEFAULT_MASK):
        use(mask)
    assert seen == ["[A]", "[B]", DEFAULT_MASK]
