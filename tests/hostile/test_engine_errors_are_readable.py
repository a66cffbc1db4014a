"""Promise: an engine error says which node and step failed, shows that step's SQL with the
engine's caret under the user's text, keeps the engine's lines as lines, gives one hint, and
names nothing internal, on the console and in the HTML and JSON run reports."""

from __future__ import annotations

import json
import re
from typing import Any

from odibi_core.testing.cli import run_odibi
from odibi_core.testing.engine_contract_compute import INTERNAL_NAMES
from odibi_core.testing.state_files import stored_pipeline

INTERNAL = re.compile(f"{INTERNAL_NAMES.pattern}|EngineError: EngineError")

PROJECT = """
project: readable
connections:
  data: {type: local, base_path: ./data}
  out: {type: local, base_path: ./out}
pipelines:
  - pipeline: main
    nodes:
      - name: customers
        read: {connection: data, path: customers.csv}
      - name: enriched
        depends_on: [customers]
        transform:
          steps:
            - sql: SELECT id, region FROM customers
            - sql: |
                SELECT id,
                       upper(regon) AS region_name,
                       'a long literal that pushes the line past the width DuckDB shows' AS filler
                FROM this
        write: {connection: out, path: enriched.csv}
"""


def test_a_failed_step_is_shown_with_its_sql_a_caret_and_a_hint(write_project: Any) -> None:
    project = write_project(PROJECT, files={"data/customers.csv": "id,region\n1,north\n"})
    result = run_odibi(["run", str(project)], cwd=project.parent)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert not INTERNAL.search(output), output
    lines = result.stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("node enriched failed:"))
    block = lines[start : start + 12]
    assert block[0].startswith(
        'node enriched failed: step 2 (sql): Binder Error: Referenced column "regon"'
    )
    assert any(line.strip().startswith("Candidate bindings:") for line in block[1:3]), (
        block
    )  # its own line
    sql_line = next(line for line in block if "upper(regon)" in line)
    caret_line = block[block.index(sql_line) + 1]
    assert caret_line.index("^") == sql_line.index("regon"), "\n".join(block)
    assert caret_line.strip(" |^") == ""
    assert caret_line.count("^") == len("regon")
    hint = next(line for line in block if line.strip().startswith("hint:"))
    assert "step 2 (sql) of node enriched at" in hint, hint
    assert "odibi.yaml:" in hint, hint

    [json_report] = (project.parent / ".odibi" / "reports" / "main").glob("*.json")
    error = next(
        n for n in json.loads(json_report.read_text())["nodes"] if n["name"] == "enriched"
    )["error"]
    assert error["step"] == 2
    assert error["message"].startswith("step 2 (sql): Binder Error")
    assert "\nCandidate bindings" in error["message"]
    assert "^^^^^" in error["sql"]
    assert "upper(regon)" in error["sql"]
    assert error["hint"]
    html = json_report.with_suffix(".html").read_text()
    assert '<pre class="where">' in html
    assert "upper(regon)" in html
    assert not INTERNAL.search(html)
    assert not INTERNAL.search(json_report.read_text())


def test_state_and_story_show_the_same_failure(write_project: Any) -> None:
    project = write_project(PROJECT, files={"data/customers.csv": "id,region\n1,north\n"})
    run_odibi(["run", str(project)], cwd=project.parent)
    recorded = stored_pipeline(project.parent / ".odibi" / "state.json", "main")["nodes"][
        "enriched"
    ]["error"]
    assert recorded.startswith("step 2 (sql): Binder Error")
    assert "\nCandidate bindings" in recorded
    story = run_odibi(["story", "show", "latest", str(project)], cwd=project.parent)
    assert story.returncode == 0, story.stderr
    shown = story.stdout.splitlines()
    at = next(i for i, line in enumerate(shown) if "error: step 2 (sql): Binder Error" in line)
    assert shown[at + 1].strip().startswith("Candidate bindings:"), story.stdout
    assert any("upper(regon)" in line for line in shown[at:])
    assert any("hint:" in line for line in shown[at:])
