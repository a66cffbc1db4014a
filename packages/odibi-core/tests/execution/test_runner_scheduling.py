"""The runner starts each node once its dependencies are done, lowest in the plan's order first,
however many nodes wait (a wide pipeline is scheduled in linear work)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from odibi_core import hookimpl
from odibi_core.config.loader import load_project
from odibi_core.execution.runner import RunOptions, run_project
from odibi_core.planning.dag import build_plan
from odibi_core.plugins.loader import PluginSettings
from odibi_core.plugins.manager import create_plugin_manager


def chains(count: int, depth: int, *, broken: str | None = None) -> str:
    """A read, ``count`` chains of ``depth`` SQL steps each, and a node reading every chain end."""
    lines = [
        "project: t",
        "connections:",
        "  raw: {type: local, base_path: ./data}",
        "pipelines:",
        "  - pipeline: p",
        "    on_error: continue",
        "    nodes:",
        "      - name: src",
        "        read: {connection: raw, path: in.csv}",
    ]
    ends = []
    for c in range(count):
        upstream = "src"
        for d in range(depth):
            name = f"c{c}_{d}"
            sql = "SELECT nope FROM x" if name == broken else f"SELECT id + 1 AS id FROM {upstream}"
            lines += [
                f"      - name: {name}",
                f"        depends_on: [{upstream}]",
                f'        transform: {{steps: ["{sql.replace("FROM x", f"FROM {upstream}")}"]}}',
            ]
            upstream = name
        ends.append(upstream)
    lines += [
        "      - name: total",
        f"        depends_on: [{', '.join(ends)}]",
        '        transform: {steps: ["'
        + " UNION ALL ".join(f"SELECT id FROM {e}" for e in ends)
        + '"]}',
    ]
    return "\n".join(lines) + "\n"


class StartOrder:
    """Records the order in which nodes start."""

    def __init__(self) -> None:
        self.started: list[str] = []

    @hookimpl(wrapper=True)
    def odibi_run_node(self, context: Any) -> Any:
        self.started.append(context.node.name)
        return (yield)


def run(write_project: Callable[..., Path], text: str, workers: int) -> tuple[Any, list[str]]:
    observer = StartOrder()
    pm = create_plugin_manager(
        PluginSettings(autoload=False), extra_plugins=[("observer", observer)]
    )
    project = load_project(write_project(text, files={"data/in.csv": "id\n1\n2\n"}), pm=pm)
    [result] = run_project(project, pm, RunOptions(workers=workers))
    return result, observer.started


def test_one_worker_starts_the_nodes_in_the_plans_order(
    write_project: Callable[..., Path],
) -> None:
    text = chains(4, 3)
    result, started = run(write_project, text, workers=1)
    assert result.status == "success"
    pm = create_plugin_manager(PluginSettings(autoload=False))
    [pipeline] = load_project(write_project(text), pm=pm).config.pipelines
    assert started == build_plan(pipeline).order


def test_a_wide_pipeline_runs_every_node_once(write_project: Callable[..., Path]) -> None:
    result, started = run(write_project, chains(30, 4), workers=4)
    assert result.status == "success"
    assert sorted(started) == sorted(result.nodes)
    assert len(started) == 30 * 4 + 2
    assert result.nodes["total"].status == "success"


def test_the_nodes_after_a_failure_are_skipped_and_the_rest_run(
    write_project: Callable[..., Path],
) -> None:
    result, started = run(write_project, chains(3, 3, broken="c1_1"), workers=2)
    statuses = {name: node.status for name, node in result.nodes.items()}
    assert statuses.pop("c1_1") == "failed"
    assert statuses.pop("c1_2") == "skipped"
    assert statuses.pop("total") == "skipped"
    assert set(statuses.values()) == {"success"}
    assert "c1_2" not in started
    assert "total" not in started
