"""Promise: ``success`` means the node's whole output was computed in this run.

A node nothing reads is still computed; a validation cannot pass on a frame that fails to
compute; ``error()`` fails its node; when a lazy chain fails, the node and step whose SQL fails
are blamed (never the node where the lazy query happened to run), and no message names an
internal view, schema or staging file. The examples from the issue run through the CLI; a
generating test runs random graphs with broken nodes through the runner and checks every status.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest
from odibi_core.testing.cli import run_odibi
from odibi_core.testing.engine_contract_compute import INTERNAL_NAMES
from odibi_core.testing.state_files import stored_pipeline

INTERNAL = INTERNAL_NAMES

PEOPLE = "id,name\n1,Ada\n2,Lin\n"


def node_rows(stdout: str) -> dict[str, list[str]]:
    """``node -> [status, ...rest]`` from the run summary."""
    rows: dict[str, list[str]] = {}
    for line in stdout.splitlines():
        parts = line.split()
        if (
            line.startswith("  ")
            and len(parts) >= 2
            and parts[1] in ("success", "failed", "skipped", "unchanged", "interrupted")
        ):
            rows[parts[0]] = parts[1:]
    return rows


def test_the_issues_examples_fail_where_they_are_wrong(write_project: Any) -> None:
    project = write_project(
        """
        project: honest
        connections:
          data: {type: local, base_path: ./data}
          out: {type: local, base_path: ./out}
        pipelines:
          - pipeline: main
            on_error: continue
            nodes:
              - name: people
                read: {connection: data, path: people.csv}
              - name: unread
                depends_on: [people]
                transform: {steps: ["SELECT id, CAST('abc' AS INTEGER) AS n FROM people"]}
              - name: counted
                depends_on: [people]
                transform: {steps: ["SELECT id, CAST(name AS INTEGER) AS n FROM people"]}
                validation: {row_count: {min: 1}}
              - name: custom
                depends_on: [people]
                transform: {steps: ["SELECT id, error('custom failure') AS x FROM people"]}
              - name: broken
                depends_on: [people]
                transform:
                  steps:
                    - sql: |
                        SELECT id,
                               CAST(name AS INTEGER) AS n
                        FROM people
              - name: reader
                depends_on: [broken]
                transform: {steps: ["SELECT * FROM broken"]}
                write: {connection: out, path: reader.csv}
        """,
        files={"data/people.csv": PEOPLE},
    )
    result = run_odibi(["run", str(project)], cwd=project.parent)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    rows = node_rows(result.stdout)
    assert {name: row[0] for name, row in rows.items()} == {
        "people": "success",
        "unread": "failed",
        "counted": "failed",
        "custom": "failed",
        "broken": "failed",
        "reader": "skipped",
    }, result.stdout
    assert "custom failure" in result.stdout
    assert "step 1 (sql): Conversion Error" in result.stdout
    assert "upstream node broken failed" in result.stdout  # the reader is not blamed
    assert not INTERNAL.search(output), output
    assert not (project.parent / "out" / "reader.csv").exists()
    state = stored_pipeline(project.parent / ".odibi" / "state.json", "main")
    assert state["nodes"]["broken"]["status"] == "failed"


def test_a_good_lazy_chain_computes_once_and_succeeds(write_project: Any) -> None:
    project = write_project(
        """
        project: fine
        connections:
          data: {type: local, base_path: ./data}
          out: {type: local, base_path: ./out}
        pipelines:
          - pipeline: main
            nodes:
              - name: people
                read: {connection: data, path: people.csv}
              - name: shouted
                depends_on: [people]
                transform: {steps: ["SELECT id, upper(name) AS name FROM people"]}
              - name: published
                depends_on: [shouted]
                write: {connection: out, path: published.csv}
              - name: leaf
                depends_on: [people]
                transform: {steps: ["SELECT count(*) AS n FROM people"]}
        """,
        files={"data/people.csv": PEOPLE},
    )
    result = run_odibi(["run", str(project)], cwd=project.parent)
    assert result.returncode == 0, result.stdout + result.stderr
    rows = node_rows(result.stdout)
    assert all(row[0] == "success" for row in rows.values()), result.stdout
    assert rows["leaf"][1:3] == ["1", "rows"], (
        result.stdout
    )  # computed on its own, counted for free
    assert (project.parent / "out" / "published.csv").read_text().splitlines() == [
        "id,name",
        "1,ADA",
        "2,LIN",
    ]


# --- generated graphs ----------------------------------------------------------------------------


def random_project(rng: random.Random, size: int) -> tuple[str, dict[str, bool], dict[str, int]]:
    """A pipeline of ``size`` nodes over one read; some nodes are broken (every row of their
    ``x`` fails to cast). Every node reads all columns of its inputs, so nothing can prune a
    broken column away. Returns the YAML, ``node -> broken`` and ``node -> broken step``."""
    nodes = [
        "      - name: n0\n        read: {connection: data, path: people.csv}\n"
        '        transform: {steps: ["SELECT id, name AS x FROM this"]}\n'
    ]
    broken: dict[str, bool] = {"n0": False}
    broken_step: dict[str, int] = {}
    for i in range(1, size):
        name = f"n{i}"
        deps = sorted(rng.sample(range(i), k=min(i, rng.choice([1, 1, 2]))))
        union = " UNION ALL ".join(f"SELECT id, x FROM n{d}" for d in deps)
        steps = [f"SELECT id, x FROM ({union}) AS u"]
        if rng.random() < 0.5:
            steps.append("SELECT id, x FROM this WHERE id IS NOT NULL")
        is_broken = rng.random() < 0.3
        if is_broken:
            where = rng.randrange(len(steps))
            steps[where] = steps[where].replace(
                "SELECT id, x", "SELECT id, CAST('z' || x AS INTEGER) AS x", 1
            )
            broken_step[name] = where + 1
        broken[name] = is_broken
        lines = [
            f"      - name: {name}",
            f"        depends_on: [{', '.join(f'n{d}' for d in deps)}]",
            "        transform:",
            "          steps:",
        ]
        lines += [f'            - sql: "{step}"' for step in steps]
        if rng.random() < 0.3:
            lines.append("        validation: {row_count: {min: 1}}")
        if rng.random() < 0.4:
            lines.append(f"        write: {{connection: out, path: {name}.parquet}}")
        nodes.append("\n".join(lines) + "\n")
    yaml = (
        "project: generated\nconnections:\n  data: {type: local, base_path: ./data}\n"
        "  out: {type: local, base_path: ./out}\npipelines:\n  - pipeline: main\n"
        "    on_error: continue\n"
        "    nodes:\n" + "".join(nodes)
    )
    return yaml, broken, broken_step


@pytest.mark.parametrize("seed", range(12))
def test_random_graphs_report_exactly_the_nodes_that_compute(seed: int, tmp_path: Path) -> None:
    from odibi_core.config.loader import load_project
    from odibi_core.execution.runner import run_project
    from odibi_core.plugins.loader import PluginSettings
    from odibi_core.plugins.manager import create_plugin_manager

    rng = random.Random(seed)
    yaml, broken, broken_step = random_project(rng, rng.randint(3, 9))
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "people.csv").write_text(PEOPLE)
    (tmp_path / "odibi.yaml").write_text(yaml)
    pm = create_plugin_manager(PluginSettings(autoload=False))
    [result] = run_project(load_project(tmp_path / "odibi.yaml", pm=pm), pm)

    from odibi_core.planning.dag import build_plan

    plan = build_plan(load_project(tmp_path / "odibi.yaml", pm=pm).config.pipelines[0])
    for name, node in result.nodes.items():
        bad_ancestors = [a for a in plan.ancestors(name) if broken[a]]
        expected = "skipped" if bad_ancestors else "failed" if broken[name] else "success"
        assert node.status == expected, (name, node.status, node.error, node.skipped_reason, yaml)
        if expected == "failed":
            assert node.error_step == broken_step[name], (name, node.error, yaml)
            assert "CAST(" in (node.error_sql or ""), (name, node.error_sql, yaml)
        text = "\n".join(filter(None, [node.error, node.error_sql, node.skipped_reason]))
        assert not INTERNAL.search(text), text
        written = tmp_path / "out" / f"{name}.parquet"
        if written.exists():
            assert node.status == "success", (name, yaml)
    assert result.status == ("failed" if any(broken.values()) else "success")
