"""References resolve after YAML parsing, register what must be masked, and fail by name."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from odibi_core.config.loader import load_project
from odibi_core.errors import ConfigError
from odibi_core.redaction import MASK, redact_text

pytestmark = pytest.mark.usefixtures("clean_redaction")

PROJECT = """
project: refs
connections:
  raw: {{type: local, base_path: "{base}"}}
pipelines:
  - pipeline: p
    nodes:
      - name: a
        read: {{connection: raw, path: a.csv}}
        transform:
          steps:
            - function: f
              params: {{value: "{value}"}}
"""


def project(
    write_project: Callable[..., Path], value: str, base: str = "./data", env_file: str = ""
) -> Path:
    files = {"data/a.csv": "x\n1\n"}
    if env_file:
        files[".env"] = env_file
    return write_project(PROJECT.format(value=value, base=base), files=files)


def step_value(path: Path) -> str:
    loaded = load_project(path)
    return loaded.config.pipelines[0].nodes[0].transform.steps[0].params["value"]  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "secret", ["a: b # not a comment", "quote ' and \" both", "two\nlines: x", "{braces}: [1]"]
)
def test_values_are_data_never_yaml(
    write_project: Callable[..., Path], monkeypatch: pytest.MonkeyPatch, secret: str
) -> None:
    monkeypatch.setenv("TRICKY_VALUE", secret)
    assert step_value(project(write_project, "${secret:TRICKY_VALUE}")) == secret


def test_reference_syntax(
    write_project: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOST_A", "alpha")
    monkeypatch.delenv("UNSET_B", raising=False)
    value = "${HOST_A}|${env:HOST_A}|${env:UNSET_B:-fallback}|$${env:HOST_A}|${secret:HOST_A}"
    assert step_value(project(write_project, value)) == "alpha|alpha|fallback|${env:HOST_A}|alpha"


def test_dotenv_file_beside_the_project_supplies_env_and_secret_references(
    write_project: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("FROM_DOTENV", raising=False)
    path = project(
        write_project,
        "${env:FROM_DOTENV}/${secret:FROM_DOTENV}",
        env_file='FROM_DOTENV="dot value"\n',
    )
    assert step_value(path) == "dot value/dot value"


def test_secret_references_and_secret_named_env_vars_are_registered(
    write_project: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PLAIN_SECRET_1", "resolved-secret-1")
    monkeypatch.setenv("DB_PASSWORD", "env-named-like-a-secret")
    monkeypatch.setenv("DATA_DIR", "./data")
    path = project(
        write_project, "${secret:PLAIN_SECRET_1} ${env:DB_PASSWORD}", base="${env:DATA_DIR}"
    )
    step_value(path)
    assert redact_text("resolved-secret-1 env-named-like-a-secret") == f"{MASK} {MASK}"
    assert redact_text("./data") == "./data"  # an ordinary variable stays readable


def test_missing_references_name_variable_file_and_key_never_a_value(
    write_project: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NOT_SET_ANYWHERE", raising=False)
    monkeypatch.setenv("SET_ONE", "set-value-xyz")
    monkeypatch.delenv("WITH_DEFAULT", raising=False)
    path = project(
        write_project,
        "${secret:SET_ONE}${secret:NOT_SET_ANYWHERE}${secret:WITH_DEFAULT:-nope}",
        base="${env:NOT_SET_ANYWHERE}",
    )  # an empty base_path would be valid: missing must win
    with pytest.raises(ConfigError) as info:
        load_project(path)
    message = info.value.message
    assert "odibi.yaml:4: connections.raw.base_path: ${env:NOT_SET_ANYWHERE} is not set" in message
    assert "${secret:NOT_SET_ANYWHERE} is not set" in message
    assert "${secret:WITH_DEFAULT} is not set" in message  # a secret never takes a default
    assert "${secret:WITH_DEFAULT:-...}: a secret takes no default" in message
    assert "set-value-xyz" not in message
    assert "nope" not in message
    assert "env, dotenv" in info.value.hint
