"""`odibi graph --format dot` is one Graphviz digraph a real dot parser reads back, whatever the
names: a cluster per pipeline, every node with its label, every dependency as an edge.

The parser is pydot's (a grammar of the dot language, pinned in scripts/requirements-dev.txt).
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pydot
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from odibi_core.config.models import PipelineConfig
from odibi_core.planning.dag import build_plan
from odibi_core.planning.render import render_dot
from odibi_core.testing.cli import run_odibi

from tests.cli.test_graph_mermaid import projects


def _unquote(text: str) -> str:
    """A dot string's text (pydot keeps the quotes and backslash escapes)."""
    assert text.startswith('"'), text
    assert text.endswith('"'), text
    out, chars = [], iter(text[1:-1])
    for char in chars:
        if char == "\\":
            escaped = next(chars)
            out.append("\n" if escaped == "n" else escaped)
        else:
            out.append(char)
    return "".join(out)


def parse(text: str) -> Any:
    graphs = pydot.graph_from_dot_data(text)
    assert graphs is not None, text
    assert len(graphs) == 1, text
    return graphs[0]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(projects())
def test_generated_projects_give_one_digraph_with_every_node_and_edge(
    pipelines: list[PipelineConfig],
) -> None:
    plans = [build_plan(p) for p in pipelines]
    graph = parse(render_dot(plans))
    clusters = graph.get_subgraphs()
    assert [_unquote(c.get_label()) for c in clusters] == [
        f"pipeline {p.pipeline}" for p in pipelines
    ]
    for cluster, plan in zip(clusters, plans, strict=True):
        labels = {node.get_name(): _unquote(node.get_label()) for node in cluster.get_nodes()}
        names = {
            name: next(i for i, lab in labels.items() if lab.split(" (")[0] == name)
            for name in plan.nodes
        }
        assert len(labels) == len(plan.nodes)
        edges = {(e.get_source(), e.get_destination()) for e in cluster.get_edges()}
        expected = {
            (names[dep], names[name]) for name, deps in plan.upstream.items() for dep in deps
        }
        assert edges == expected


@settings(max_examples=60, deadline=None)
@given(st.text(min_size=1, max_size=30).filter(lambda s: "\r" not in s))
def test_any_pipeline_name_reads_back_exactly(name: str) -> None:
    pipeline = PipelineConfig.model_validate(
        {"pipeline": "p", "nodes": [{"name": "a", "read": {"connection": "raw", "path": "x.csv"}}]}
    )
    plan = build_plan(pipeline)
    plan.pipeline = pipeline.model_copy(update={"pipeline": name})
    graph = parse(render_dot([plan]))
    assert _unquote(graph.get_subgraphs()[0].get_label()) == f"pipeline {name}"


def test_graph_command_with_two_pipelines_prints_one_digraph(tmp_path: Path) -> None:
    (tmp_path / "odibi.yaml").write_text(
        textwrap.dedent("""\
        project: two
        connections: {raw: {type: local, base_path: ./data}}
        pipelines:
          - pipeline: first
            nodes:
              - {name: start, read: {connection: raw, path: a.csv}}
              - {name: graph, depends_on: [start], transform: {steps: ["SELECT * FROM start"]}}
          - pipeline: second
            nodes:
              - {name: start, read: {connection: raw, path: b.csv}}
        """)
    )
    proc = run_odibi(["graph", "--format", "dot", str(tmp_path)])
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.count("digraph") == 1
    graph = parse(proc.stdout)
    assert len(graph.get_subgraphs()) == 2
    assert [
        (e.get_source(), e.get_destination()) for e in graph.get_subgraphs()[0].get_edges()
    ] == [("p1n1", "p1n2")]
