"""Names and the graph checked across the project, every problem at its file and line."""

from __future__ import annotations

import pytest
from odibi_core.config.loader import load_project
from odibi_core.config.project_checks import find_cycles
from odibi_core.errors import PlanError


def _problems(write_project, text: str) -> list[str]:
    """The error's lines with the project folder left out of file names."""
    path = write_project(text)
    with pytest.raises(PlanError) as info:
        load_project(path)
    return info.value.message.replace(f"{path.parent}/", "").splitlines()


def test_two_pipelines_with_one_name_name_both_lines(write_project, one_node_project) -> None:
    text = (
        one_node_project
        + "  - pipeline: p\n    nodes:\n      - name: b\n        read: {connection: raw, path: "
        "a.csv}\n"
    )
    assert _problems(write_project, text) == [
        "odibi.yaml:9: pipelines[1].pipeline: pipeline 'p' is also defined at odibi.yaml:5; "
        "pipeline names must be unique (they key run history and reports)"
    ]


def test_duplicate_nodes_self_and_repeated_dependencies_each_at_their_line(
    write_project, one_node_project
) -> None:
    text = one_node_project + (
        "      - name: a\n        read: {connection: raw, path: b.csv}\n"
        "      - name: c\n        depends_on: [c]\n"
        "      - name: d\n        depends_on: [a, a]\n"
    )
    assert _problems(write_project, text) == [
        "odibi.yaml:9: pipelines[0].nodes[1].name: node name 'a' is also used at odibi.yaml:7 in "
        "pipeline p; node names must be unique",
        "odibi.yaml:12: pipelines[0].nodes[2].depends_on[0]: node 'c' depends on itself",
        "odibi.yaml:14: pipelines[0].nodes[3].depends_on[1]: depends_on lists 'a' twice",
    ]


def test_every_cycle_is_reported_once_at_a_line_of_it(write_project, one_node_project) -> None:
    text = one_node_project + (
        "      - {name: b, depends_on: [c], transform: {steps: ['SELECT 1']}}\n"
        "      - {name: c, depends_on: [b]}\n"
        "      - {name: x, depends_on: [y]}\n"
        "      - {name: y, depends_on: [z]}\n"
        "      - {name: z, depends_on: [x]}\n"
    )
    assert _problems(write_project, text) == [
        "odibi.yaml:9: pipelines[0].nodes[1].depends_on[0]: dependency cycle in pipeline p: b "
        "-> c -> b "
        "(each depends on the next)",
        "odibi.yaml:11: pipelines[0].nodes[3].depends_on[0]: dependency cycle in pipeline p: x "
        "-> y -> z -> x "
        "(each depends on the next)",
    ]


def test_cycle_search_handles_a_long_chain_without_recursion() -> None:
    n = 5000
    graph = {f"n{i}": [f"n{i - 1}"] if i else [f"n{n - 1}"] for i in range(n)}
    (cycle,) = find_cycles(graph)
    assert len(cycle) == n + 1
    assert cycle[0] == cycle[-1]
    graph["n0"] = []
    assert find_cycles(graph) == []
