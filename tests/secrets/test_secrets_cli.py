"""`odibi secrets init` and `odibi secrets validate` as a user runs them (subprocesses)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from odibi_core.errors import ExitCode
from odibi_core.testing.cli import run_odibi

ROOT = """\
project: shop
imports: [connections.yaml]
connections:
  lake: {type: local, base_path: "${env:LAKE_DIR:-./lake}"}
# ${secret:COMMENTED_OUT} is not a reference
pipelines:
  - pipeline: daily
    nodes:
      - name: orders
        read: {connection: raw, path: orders.csv}
        transform: {steps: [{function: enrich, params: {api_token: "${secret:API_TOKEN}", lit: "$${env:NOT_A_REF}"}}]}
environments:
  prod:
    connections:
      lake: {type: local, base_path: "${env:PROD_LAKE}"}
"""  # noqa: E501 (project YAML test data, kept one node per line)
CONNECTIONS = """\
connections:
  raw: {type: local, base_path: "./data-${secret:RAW_SUFFIX}"}
"""
VALUES = {
    "API_TOKEN": "Vq7-api-token-value",
    "RAW_SUFFIX": "Kx3-raw-suffix",
    "PROD_LAKE": "Wz5-prod-lake",
}
NAMES = ["API_TOKEN", "RAW_SUFFIX", "LAKE_DIR", "PROD_LAKE", "COMMENTED_OUT", "NOT_A_REF"]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "odibi.yaml").write_text(ROOT)
    (tmp_path / "connections.yaml").write_text(CONNECTIONS)
    return tmp_path


def clean_env(**values: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in NAMES}
    env.update(values)
    return env


def assert_no_value(text: str) -> None:
    for value in VALUES.values():
        assert value[:3] not in text  # not even a prefix


def test_init_writes_a_template_of_every_reference_with_locations_and_no_values(
    project: Path,
) -> None:
    proc = run_odibi(["secrets", "init", str(project)], env=clean_env(**VALUES))
    assert proc.returncode == 0, proc.stderr
    template = (project / ".env.example").read_text()
    assert_no_value(template + proc.stdout + proc.stderr)
    for name in ("API_TOKEN", "RAW_SUFFIX", "PROD_LAKE"):
        assert f"\n{name}=\n" in template
    assert "\n# LAKE_DIR=\n" in template  # it has a default: copied as is, the default applies
    assert "COMMENTED_OUT" not in template
    assert "NOT_A_REF" not in template
    assert "#   connections.yaml:2  connections.raw.base_path\nRAW_SUFFIX=" in template
    assert "(environment prod)" in template
    assert "4 variable(s), 2 of them secret(s)" in proc.stdout


def test_init_refuses_to_overwrite_without_force(project: Path) -> None:
    target = project / ".env.example"
    target.write_text("KEEP ME\n")
    proc = run_odibi(["secrets", "init", str(project)], env=clean_env())
    assert proc.returncode == ExitCode.USAGE_ERROR
    assert "already exists" in proc.stderr
    assert "--force" in proc.stderr
    assert target.read_text() == "KEEP ME\n"
    proc = run_odibi(["secrets", "init", str(project), "--force"], env=clean_env())
    assert proc.returncode == 0, proc.stderr
    assert "API_TOKEN=" in target.read_text()


def test_init_writes_where_asked_or_to_stdout(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "elsewhere" / "template.env"
    proc = run_odibi(
        ["secrets", "init", str(project / "odibi.yaml"), "-o", str(out)], env=clean_env()
    )
    assert proc.returncode == 0, proc.stderr
    assert "RAW_SUFFIX=" in out.read_text()
    proc = run_odibi(["secrets", "init", str(project), "-o", "-"], env=clean_env())
    assert proc.returncode == 0
    assert proc.stdout == out.read_text()


def test_validate_lists_missing_names_where_used_and_exits_non_zero(project: Path) -> None:
    proc = run_odibi(
        ["secrets", "validate", str(project)], env=clean_env(API_TOKEN=VALUES["API_TOKEN"])
    )
    assert proc.returncode == ExitCode.SECRETS_MISSING
    assert "missing  RAW_SUFFIX" in proc.stdout
    assert "used at connections.yaml:2  connections.raw.base_path" in proc.stdout
    assert "ok       API_TOKEN" in proc.stdout
    assert "LAKE_DIR" in proc.stdout
    assert "default applies" in proc.stdout
    assert "1 reference(s) do not resolve: RAW_SUFFIX" in proc.stderr
    assert "PROD_LAKE" in proc.stdout  # mentioned as only used by another environment
    assert_no_value(proc.stdout + proc.stderr)


def test_validate_passes_when_everything_resolves_from_env_and_dotenv(project: Path) -> None:
    (project / ".env").write_text(f'RAW_SUFFIX="{VALUES["RAW_SUFFIX"]}"\n')
    proc = run_odibi(
        ["secrets", "validate", str(project)], env=clean_env(API_TOKEN=VALUES["API_TOKEN"])
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "RAW_SUFFIX" in proc.stdout
    assert "from dotenv" in proc.stdout
    assert_no_value(proc.stdout + proc.stderr)


def test_validate_checks_the_chosen_environment_as_json(project: Path) -> None:
    proc = run_odibi(
        ["secrets", "validate", str(project), "--env", "prod", "--json"],
        env=clean_env(API_TOKEN=VALUES["API_TOKEN"], RAW_SUFFIX=VALUES["RAW_SUFFIX"]),
    )
    assert proc.returncode == ExitCode.SECRETS_MISSING
    report = json.loads(proc.stdout)
    assert report["environment"] == "prod"
    assert report["failed"] == ["PROD_LAKE"]
    statuses = {v["name"]: v["status"] for v in report["variables"]}
    assert statuses == {"API_TOKEN": "ok", "RAW_SUFFIX": "ok", "PROD_LAKE": "missing"}
    assert_no_value(proc.stdout + proc.stderr)


def test_validate_warns_about_secrets_too_short_to_mask(project: Path) -> None:
    proc = run_odibi(
        ["secrets", "validate", str(project)],
        env=clean_env(API_TOKEN="ab", RAW_SUFFIX=VALUES["RAW_SUFFIX"]),
    )
    assert proc.returncode == 0, proc.stderr
    assert "warning  API_TOKEN" in proc.stdout
    assert "cannot be masked" in proc.stdout


def test_run_with_a_missing_secret_names_it_and_never_runs(project: Path) -> None:
    proc = run_odibi(["run", str(project)], env=clean_env(API_TOKEN=VALUES["API_TOKEN"]))
    assert proc.returncode == ExitCode.CONFIG_INVALID
    assert (
        "connections.yaml:2: connections.raw.base_path: ${secret:RAW_SUFFIX} is not set"
        in proc.stderr
    )
    assert_no_value(proc.stdout + proc.stderr)


def test_usage_errors_exit_with_the_usage_code(project: Path) -> None:
    proc = run_odibi(["secrets", "validate", str(project), "--no-such-flag"], env=clean_env())
    assert proc.returncode == ExitCode.USAGE_ERROR
    assert "No such option" in proc.stderr
