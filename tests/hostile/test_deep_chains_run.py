"""Promise: a pipeline that validates also runs, however deep its chain of nodes.

A chain of SQL nodes is a stack of lazy views; DuckDB limits how deep an expression may nest
(a 1,000-node chain used to fail at node 250). The engine materialises the chain every few dozen
views, so 2,000 nodes run, and a failure deep in the chain is still blamed on its node.
"""

from __future__ import annotations

from pathlib import Path

from odibi_core.testing.cli import run_odibi


def chain_project(folder: Path, length: int, *, broken: int | None = None) -> Path:
    """A read followed by ``length - 1`` SQL nodes, each adding 1 to ``v``; the last one writes."""
    lines = [
        "project: deep",
        "reports: {enabled: false}",
        "connections:",
        "  data: {type: local, base_path: ./data}",
        "  out: {type: local, base_path: ./out}",
        "pipelines:",
        "  - pipeline: chain",
        "    nodes:",
        "      - name: n0",
        "        read: {connection: data, path: one.csv}",
    ]
    for i in range(1, length):
        expression = "CAST('x' || v AS INTEGER)" if i == broken else "v + 1"
        lines += [
            f"      - name: n{i}",
            f"        depends_on: [n{i - 1}]",
            f'        transform: {{steps: ["SELECT id, {expression} AS v FROM n{i - 1}"]}}',
        ]
    lines.append("        write: {connection: out, path: last.csv}")
    (folder / "data").mkdir(parents=True, exist_ok=True)
    (folder / "data" / "one.csv").write_text("id,v\n1,0\n")
    (folder / "odibi.yaml").write_text("\n".join(lines) + "\n")
    return folder / "odibi.yaml"


def test_a_chain_of_2000_nodes_validates_and_runs(tmp_path: Path) -> None:
    project = chain_project(tmp_path, 2000)
    validated = run_odibi(["validate", str(project)], cwd=tmp_path)
    assert validated.returncode == 0, validated.stderr
    result = run_odibi(["--log-level", "WARNING", "run", str(project)], cwd=tmp_path)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert (tmp_path / "out" / "last.csv").read_text().splitlines() == ["id,v", "1,1999"]
    assert sum(1 for line in result.stdout.splitlines() if line.split()[1:2] == ["success"]) == 2000


def test_a_failure_deep_in_a_long_chain_is_blamed_on_its_node(tmp_path: Path) -> None:
    from odibi_core.config.loader import load_project
    from odibi_core.execution.runner import run_project
    from odibi_core.plugins.loader import PluginSettings
    from odibi_core.plugins.manager import create_plugin_manager

    project = chain_project(tmp_path, 300, broken=260)
    pm = create_plugin_manager(PluginSettings(autoload=False))
    [result] = run_project(load_project(project, pm=pm), pm)
    statuses = {name: node.status for name, node in result.nodes.items()}
    assert statuses["n260"] == "failed", result.nodes["n260"]
    assert "Conversion Error" in (result.nodes["n260"].error or "")
    assert all(statuses[f"n{i}"] == "success" for i in range(260)), statuses
    assert all(statuses[f"n{i}"] == "skipped" for i in range(261, 300)), statuses
