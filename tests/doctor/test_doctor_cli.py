"""`odibi doctor` as a subprocess: exit codes, JSON, missing secrets reported rather than fatal."""

from __future__ import annotations

import json
import os
import textwrap
from pathlib import Path

from odibi_core.errors import ExitCode
from odibi_core.testing.cli import run_odibi

SECRET = "doctor-cli-Vq7Lp2Xs"
PROJECT = """\
project: clinic
connections:
  raw: {type: local, base_path: ./data}
  lake: {type: local, base_path: ./lake}
pipelines:
  - pipeline: p
    nodes:
      - name: a
        read: {connection: raw, path: a.csv}
      - name: b
        depends_on: [a]
        transform: {steps: ["SELECT * FROM a WHERE token <> '${secret:CLINIC_TOKEN}'"]}
        write: {connection: lake, path: b.parquet}
"""


def _project(tmp_path: Path) -> Path:
    root = tmp_path / "clinic"
    (root / "data").mkdir(parents=True)
    (root / "data" / "a.csv").write_text("x\n1\n")
    (root / "odibi.yaml").write_text(textwrap.dedent(PROJECT))
    return root


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "CLINIC_TOKEN"}
    env.update(extra)
    return env


def test_without_a_project_doctor_checks_the_environment(tmp_path: Path) -> None:
    proc = run_odibi(["doctor"], cwd=tmp_path, env=_env())
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.startswith("environment\n")
    assert "ok    python" in proc.stdout
    assert "no odibi.yaml here: environment checks only" in proc.stdout
    assert proc.stdout.rstrip().endswith("no problems found")


def test_a_missing_secret_is_a_failed_check_not_a_crash(tmp_path: Path) -> None:
    root = _project(tmp_path)
    proc = run_odibi(["doctor", str(root)], env=_env())
    assert proc.returncode == ExitCode.CHECKS_FAILED, proc.stdout + proc.stderr
    assert "FAIL  ${secret:CLINIC_TOKEN}" in proc.stdout
    assert "odibi.yaml:12 pipelines[0].nodes[1].transform.steps[0]" in proc.stdout
    assert "ok    raw" in proc.stdout  # connections that need no secret are still checked
    assert "error: doctor found 1 problem(s): secrets/${secret:CLINIC_TOKEN}" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_a_healthy_project_exits_zero_and_never_prints_its_secret(tmp_path: Path) -> None:
    root = _project(tmp_path)
    proc = run_odibi(["doctor", str(root)], env=_env(CLINIC_TOKEN=SECRET))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "ok    ${secret:CLINIC_TOKEN}  resolvable" in proc.stdout
    assert "valid: 1 pipeline(s), 2 node(s), engine duckdb" in proc.stdout
    assert SECRET not in proc.stdout + proc.stderr


def test_json_output_lists_every_check_and_keeps_the_exit_code(tmp_path: Path) -> None:
    root = _project(tmp_path)
    proc = run_odibi(["doctor", str(root), "--json"], env=_env())
    assert proc.returncode == ExitCode.CHECKS_FAILED
    data = json.loads(proc.stdout)
    assert data["ok"] is False
    assert data["problems"] == 1
    sections = {c["section"] for c in data["checks"]}
    assert {
        "environment",
        "plugins",
        "project",
        "secrets",
        "connections",
        "reports",
        "telemetry",
    } <= sections
    proc = run_odibi(["doctor", str(root), "--json"], env=_env(CLINIC_TOKEN=SECRET))
    assert proc.returncode == 0
    assert json.loads(proc.stdout)["ok"] is True
    assert SECRET not in proc.stdout


def test_a_project_path_that_does_not_exist_is_a_failed_check(tmp_path: Path) -> None:
    proc = run_odibi(["doctor", str(tmp_path / "nowhere")], env=_env())
    assert proc.returncode == ExitCode.CHECKS_FAILED
    assert "FAIL  file" in proc.stdout
    assert "does not exist" in proc.stdout
