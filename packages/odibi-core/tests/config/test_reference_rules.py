"""``${env:X:-d}`` follows POSIX; original-Odibi expressions and secret defaults are refused."""

from __future__ import annotations

import pytest
from odibi_core.config.loader import load_project
from odibi_core.errors import ConfigError


@pytest.mark.parametrize(
    ("value", "expected"), [(None, "fallback"), ("", "fallback"), ("set", "set")]
)
def test_a_default_applies_when_the_variable_is_unset_or_empty(
    write_project,
    one_node_project,
    monkeypatch: pytest.MonkeyPatch,
    value: str | None,
    expected: str,
) -> None:
    if value is None:
        monkeypatch.delenv("ODIBI_TEST_POSIX", raising=False)
    else:
        monkeypatch.setenv("ODIBI_TEST_POSIX", value)
    path = write_project(one_node_project + "description: ${env:ODIBI_TEST_POSIX:-fallback}\n")
    assert load_project(path).config.description == expected


def test_an_empty_value_in_dotenv_also_means_unset(
    write_project, one_node_project, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ODIBI_TEST_POSIX", raising=False)
    path = write_project(
        one_node_project + "description: ${env:ODIBI_TEST_POSIX:-fallback}\n",
        files={".env": "ODIBI_TEST_POSIX=\n"},
    )
    assert load_project(path).config.description == "fallback"


def test_an_empty_variable_without_default_stays_empty(
    write_project, one_node_project, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ODIBI_TEST_POSIX", "")
    assert (
        load_project(
            write_project(one_node_project + "description: x${env:ODIBI_TEST_POSIX}y\n")
        ).config.description
        == "xy"
    )


@pytest.mark.parametrize(
    "expression", ["${date:-7d}", "${date:today}", "${vars.env}", "${vars.db.host}"]
)
def test_original_odibi_expressions_point_to_migrate(
    write_project, one_node_project, monkeypatch: pytest.MonkeyPatch, expression: str
) -> None:
    monkeypatch.setenv("date", "must-not-be-used")
    path = write_project(one_node_project + f"description: 'since {expression}'\n")
    with pytest.raises(ConfigError) as info:
        load_project(path)
    assert (
        f"odibi.yaml:9: description: {expression} is an original-Odibi expression"
        in info.value.message
    )
    assert "odibi migrate" in info.value.hint
    assert "is not set" not in info.value.message  # never misread as a variable


def test_an_escaped_expression_is_literal_text(write_project, one_node_project) -> None:
    assert (
        load_project(
            write_project(one_node_project + "description: $${date:-7d}\n")
        ).config.description
        == "${date:-7d}"
    )
