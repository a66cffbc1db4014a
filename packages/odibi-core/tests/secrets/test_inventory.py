"""Inventory of references: the .env template and the resolution checks behind `odibi secrets`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from odibi_core.config.loader import read_project_source
from odibi_core.config.resolver import ReferenceResolver
from odibi_core.redaction import MASK, redact_text
from odibi_core.secrets.inventory import check_variables, collect_variables, render_template

pytestmark = pytest.mark.usefixtures("clean_redaction")

ROOT = """
project: inv
imports: [shared.yaml]
connections:
  lake: {type: local, base_path: "${env:LAKE_DIR:-./lake}"}
# ${secret:ONLY_IN_A_COMMENT}
pipelines:
  - pipeline: p
    nodes:
      - name: a
        read: {connection: raw, path: "${env:INPUT_FILE}"}
        transform: {steps: [{function: f, params: {token: "${secret:API_TOKEN}", lit: "$${secret:ESCAPED}"}}]}
environments:
  prod:
    connections:
      lake: {type: local, base_path: "${env:PROD_LAKE}"}
    state: {backend: local, connection_string: "${secret:STATE_CONN}"}
"""  # noqa: E501 (project YAML test data, kept one node per line)
SHARED = """
connections:
  raw: {type: local, base_path: "./data", password: "${secret:RAW_PASSWORD}"}
"""


@pytest.fixture
def source_path(write_project: Callable[..., Path]) -> Path:
    return write_project(ROOT, files={"shared.yaml": SHARED})


def test_template_lists_every_reference_with_file_and_key_and_no_value(
    source_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("API_TOKEN", "value-must-not-appear")
    source = read_project_source(source_path)
    variables = collect_variables(source.references(all_environments=True))
    text = render_template(source, variables)
    names = [v.name for v in variables]
    assert names == [
        "API_TOKEN",
        "RAW_PASSWORD",
        "STATE_CONN",
        "INPUT_FILE",
        "LAKE_DIR",
        "PROD_LAKE",
    ]
    assert "ONLY_IN_A_COMMENT" not in text
    assert "ESCAPED" not in text
    assert "value-must-not-appear" not in text
    assert "#   shared.yaml:3  connections.raw.password\nRAW_PASSWORD=\n" in text
    assert (
        "#   odibi.yaml:12  pipelines[0].nodes[0].transform.steps[0].params.token\nAPI_TOKEN=\n"
        in text
    )
    assert (
        "#   odibi.yaml:17  environments.prod.state.connection_string  (environment "
        "prod)\nSTATE_CONN=\n" in text
    )
    assert "# LAKE_DIR: env (optional: the project gives a default, used when unset or empty)" in (
        text
    )
    assert "\n# LAKE_DIR=\n" in text
    assert "\nLAKE_DIR=" not in text
    for line in text.splitlines():
        assert line.startswith("#") or line == "" or line.endswith("=")


def test_checks_report_missing_default_short_and_empty(
    source_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("API_TOKEN", "long-enough-token")
    monkeypatch.setenv("RAW_PASSWORD", "ab")
    monkeypatch.delenv("INPUT_FILE", raising=False)
    monkeypatch.delenv("LAKE_DIR", raising=False)
    (source_path.parent / ".env").write_text("INPUT_FILE=a.csv\n")
    source = read_project_source(source_path)
    checks = {
        c.variable.name: c
        for c in check_variables(collect_variables(source.references()), ReferenceResolver(source))
    }
    assert set(checks) == {"API_TOKEN", "RAW_PASSWORD", "INPUT_FILE", "LAKE_DIR"}
    assert (checks["API_TOKEN"].status, checks["API_TOKEN"].origin) == ("ok", "env")
    assert (checks["INPUT_FILE"].status, checks["INPUT_FILE"].origin) == ("ok", "dotenv")
    assert checks["LAKE_DIR"].status == "default"
    assert checks["RAW_PASSWORD"].status == "short"
    assert not checks["RAW_PASSWORD"].failed
    assert redact_text("long-enough-token") == MASK  # checking registers what resolved

    monkeypatch.setenv("API_TOKEN", "")
    monkeypatch.delenv("RAW_PASSWORD")
    checks = {
        c.variable.name: c
        for c in check_variables(collect_variables(source.references()), ReferenceResolver(source))
    }
    assert checks["API_TOKEN"].status == "empty"
    assert checks["API_TOKEN"].failed
    assert checks["RAW_PASSWORD"].status == "missing"
    assert checks["RAW_PASSWORD"].failed


def test_environment_overlay_is_checked_with_its_own_references(
    source_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("PROD_LAKE", "STATE_CONN", "LAKE_DIR"):
        monkeypatch.delenv(name, raising=False)
    source = read_project_source(source_path, environment="prod")
    names = {v.name for v in collect_variables(source.references())}
    assert {"PROD_LAKE", "STATE_CONN"} <= names
    assert "LAKE_DIR" not in names  # replaced by the overlay


def test_an_empty_variable_with_a_default_is_reported_as_using_the_default(
    source_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LAKE_DIR", "")  # what copying the template as `LAKE_DIR=` used to do
    source = read_project_source(source_path)
    checks = {
        c.variable.name: c
        for c in check_variables(collect_variables(source.references()), ReferenceResolver(source))
    }
    assert checks["LAKE_DIR"].status == "default"
    assert not checks["LAKE_DIR"].failed
    assert "set, but empty; the project's default applies" in checks["LAKE_DIR"].detail
