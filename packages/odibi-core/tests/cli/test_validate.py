"""``odibi validate``: every problem in one pass, sorted by file and line, also as JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from odibi_core.testing.cli import invoke_odibi

PROJECT = """\
project: shop
imports: [more.yaml]
connections:
  raw: {type: local, base_path: ./data}
  lake: {type: local, base_path: ./lake}
pipelines:
  - pipeline: daily
    nodes:
      - name: orders
        read: {connection: raw, path: orders.csv}
      - name: enriched
        depends_on: [orders]
        transform:
          steps:
            - SELECT * FROM orders
        write: {connection: lake, path: enriched.parquet}
      - name: totals
        depends_on: [enriched]
        transform:
          steps:
            - SELECT count(*) AS n FROM enrichd
"""
MORE = """\
pipelines:
  - pipeline: weekly
    nodes:
      - name: again
        read: {connection: lake, path: enriched.parquet}
"""


def _project(tmp_path: Path, text: str = PROJECT, more: str = MORE) -> Path:
    (tmp_path / "data").mkdir(exist_ok=True)
    (tmp_path / "data" / "orders.csv").write_text("id\n1\n")
    (tmp_path / "more.yaml").write_text(more)
    (tmp_path / "odibi.yaml").write_text(text)
    return tmp_path / "odibi.yaml"


def _errors(stderr: str, folder: Path) -> list[str]:
    return [
        line.replace(f"{folder}/", "") for line in stderr.splitlines() if line.startswith("error: ")
    ]


def test_a_valid_project_passes_and_a_file_another_node_writes_is_no_warning(
    tmp_path: Path,
) -> None:
    path = _project(tmp_path, PROJECT.replace("enrichd", "enriched"))
    result = invoke_odibi(["validate", str(path)])
    assert result.exit_code == 0, result.stderr
    assert "valid (2 pipeline(s), 4 node(s), engine duckdb)" in result.stdout
    assert "warning" not in result.stderr  # lake/enriched.parquet is written by node enriched


def test_every_problem_of_every_file_is_reported_at_once_in_file_then_line_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ODIBI_TEST_NOT_SET", raising=False)
    text = (
        PROJECT.replace(
            "project: shop", "project: shop\ndescription: ${env:ODIBI_TEST_NOT_SET}"
        ).replace("      - name: totals", "      - name: totals\n        raed: {}")
        + "      - {name: odd, depends_on: [orders], transform: {steps: [{function: nowhere}]}}\n"
    )
    more = MORE.replace("pipeline: weekly", "pipeline: daily").replace(
        "path: enriched.parquet", "path: !x enriched.parquet"
    )
    path = _project(tmp_path, text, more)
    result = invoke_odibi(["validate", str(path)])
    assert result.exit_code == 3
    assert _errors(result.stderr, tmp_path) == [
        "error: odibi.yaml:2: description: ${env:ODIBI_TEST_NOT_SET} is not set",
        "error: odibi.yaml:8: pipelines[1].pipeline: pipeline 'daily' is also defined at "
        "more.yaml:2; "
        "pipeline names must be unique (they key run history and reports)",
        "error: odibi.yaml:19: pipelines[1].nodes[2].raed: unknown key 'raed' (did you mean "
        "'read'?)",
        "error: odibi.yaml:23: pipelines[1].nodes[2].transform.steps[0]: unknown table 'enrichd' "
        "(did you mean 'enriched'?); this step sees: enriched, this",
        "error: odibi.yaml:24: pipelines[1].nodes[3].transform.steps[0].function: unknown "
        "Python step "
        "'nowhere'; defined: none",
        "error: more.yaml:5: YAML tag !x is not allowed: a project file holds plain values "
        "(remove the tag; "
        "quote a value to make it a string)",
    ]


def test_json_lists_problems_and_keeps_the_exit_code(tmp_path: Path) -> None:
    path = _project(tmp_path)
    (tmp_path / "data" / "orders.csv").unlink()
    result = invoke_odibi(["validate", str(path), "--json"])
    assert result.exit_code == 3
    report = json.loads(result.stdout)
    assert set(report) == {"project", "environment", "valid", "summary", "files", "problems"}
    assert report["valid"] is False
    assert report["summary"] is None
    assert [p["severity"] for p in report["problems"]] == [
        "error"
    ]  # inputs are checked once the rest is valid
    error = next(p for p in report["problems"] if p["severity"] == "error")
    assert error == {
        "severity": "error",
        "file": error["file"],
        "line": 21,
        "key": "pipelines[1].nodes[2].transform.steps[0]",
        "message": "unknown table 'enrichd' (did you mean 'enriched'?); this step sees: "
        "enriched, this",
        "exit_code": 3,
    }
    assert error["file"].endswith("odibi.yaml")
    assert "error: " in result.stderr  # the error line is printed as well


def test_a_missing_input_is_a_warning_that_does_not_fail(tmp_path: Path) -> None:
    path = _project(tmp_path, PROJECT.replace("enrichd", "enriched"))
    (tmp_path / "data" / "orders.csv").unlink()
    result = invoke_odibi(["validate", str(path)])
    assert result.exit_code == 0, result.stderr
    (warning,) = [line for line in result.stderr.splitlines() if line.startswith("warning: ")]
    assert (
        "odibi.yaml:10: pipelines[1].nodes[0].read.path: input 'orders.csv' of connection "
        "'raw' does not exist" in warning
    )
    report = json.loads(invoke_odibi(["validate", str(path), "--json"]).stdout)
    assert report["valid"] is True
    assert report["summary"] == {"pipelines": 2, "nodes": 4, "engine": "duckdb"}
    assert [p["severity"] for p in report["problems"]] == ["warning"]


def test_only_plugin_problems_exit_4(tmp_path: Path) -> None:
    path = _project(
        tmp_path,
        PROJECT.replace("enrichd", "enriched").replace(
            "project: shop", "project: shop\nengine: duckbd"
        ),
    )
    result = invoke_odibi(["validate", str(path)])
    assert result.exit_code == 4
    (line,) = _errors(result.stderr, tmp_path)
    assert line.startswith(
        "error: odibi.yaml:2: engine: unknown engine 'duckbd' (did you mean 'duckdb'?)"
    )


@pytest.mark.parametrize(
    ("source", "line", "error"),
    [
        ("import sys\n\nsys.exit(2)\n", 3, "SystemExit: 2"),
        ("x = 1\ndef broken(:\n", 2, "SyntaxError"),
    ],
)
def test_broken_project_transforms_are_an_error_at_their_line(
    tmp_path: Path, source: str, line: int, error: str
) -> None:
    path = _project(tmp_path, PROJECT.replace("enrichd", "enriched"))
    (tmp_path / "transforms.py").write_text(source)
    result = invoke_odibi(["validate", str(path)])
    assert result.exit_code == 3
    (message,) = _errors(result.stderr, tmp_path)
    assert message.startswith(
        f"error: transforms.py:{line}: importing project transforms failed: {error}"
    )
