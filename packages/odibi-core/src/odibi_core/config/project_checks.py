"""Checks across a project's parts, each problem located at file and line.

They run on the merged, resolved document (plain data), so they report their problems even when
some other part of the file fails model validation: duplicate pipeline and node names (naming both
places), ``depends_on`` entries that repeat, name the node itself or an unknown node, and
dependency cycles. The planner repeats the graph checks for programmatic callers.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from odibi_core.config.locations import KeyPath, LocationMap
from odibi_core.config.problems import Problem, located
from odibi_core.config.suggestions import did_you_mean
from odibi_core.errors import PlanError


def iter_pipelines(data: Any) -> Iterator[tuple[int, dict[str, Any]]]:
    """``(index, pipeline)`` for every pipeline that is a mapping."""
    pipelines = data.get("pipelines") if isinstance(data, dict) else None
    if isinstance(pipelines, list):
        for i, pipeline in enumerate(pipelines):
            if isinstance(pipeline, dict):
                yield i, pipeline


def iter_nodes(pipeline: dict[str, Any]) -> Iterator[tuple[int, dict[str, Any]]]:
    """``(index, node)`` for every node of ``pipeline`` that is a mapping with a string name."""
    nodes = pipeline.get("nodes")
    if isinstance(nodes, list):
        for i, node in enumerate(nodes):
            if isinstance(node, dict) and isinstance(node.get("name"), str):
                yield i, node


def dependencies(node: dict[str, Any]) -> list[tuple[int, str]]:
    """``(index, name)`` of every string in the node's ``depends_on``."""
    deps = node.get("depends_on")
    return (
        [(i, d) for i, d in enumerate(deps) if isinstance(d, str)] if isinstance(deps, list) else []
    )


def check_project_graph(data: Any, locations: LocationMap) -> list[Problem]:
    """Every name and graph problem of ``data`` (see the module docstring)."""
    problems: list[Problem] = []
    seen_pipelines: dict[str, KeyPath] = {}
    for p, pipeline in iter_pipelines(data):
        name = pipeline.get("pipeline")
        if isinstance(name, str):
            here = ("pipelines", p, "pipeline")
            if name in seen_pipelines:
                problems.append(
                    located(
                        locations,
                        here,
                        f"pipeline {name!r} is also defined at "
                        f"{locations.find(seen_pipelines[name])}; "
                        "pipeline names must be unique (they key run history and reports)",
                        error=PlanError,
                    )
                )
            else:
                seen_pipelines[name] = here
        problems += _check_pipeline(p, pipeline, locations)
    return problems


def _check_pipeline(p: int, pipeline: dict[str, Any], locations: LocationMap) -> list[Problem]:
    problems: list[Problem] = []
    label = pipeline.get("pipeline") if isinstance(pipeline.get("pipeline"), str) else f"#{p + 1}"
    first_index: dict[str, int] = {}
    for n, node in iter_nodes(pipeline):
        name = node["name"]
        if name in first_index:
            first = locations.find(("pipelines", p, "nodes", first_index[name], "name"))
            problems.append(
                located(
                    locations,
                    ("pipelines", p, "nodes", n, "name"),
                    f"node name {name!r} is also used at {first} in pipeline {label}; node "
                    f"names must be unique",
                    error=PlanError,
                )
            )
        else:
            first_index[name] = n
    graph: dict[str, list[str]] = {}
    for n, node in iter_nodes(pipeline):
        name = node["name"]
        if first_index[name] != n:
            continue
        listed: set[str] = set()
        edges: list[str] = []
        for i, dep in dependencies(node):
            where = ("pipelines", p, "nodes", n, "depends_on", i)
            if dep in listed:
                problems.append(
                    located(locations, where, f"depends_on lists {dep!r} twice", error=PlanError)
                )
            elif dep == name:
                problems.append(
                    located(locations, where, f"node {name!r} depends on itself", error=PlanError)
                )
            elif dep not in first_index:
                problems.append(
                    located(
                        locations,
                        where,
                        f"node {name!r} depends on unknown node {dep!r}"
                        f"{did_you_mean(dep, first_index)}; "
                        f"nodes of pipeline {label}: {', '.join(first_index)}",
                        error=PlanError,
                    )
                )
            else:
                edges.append(dep)
            listed.add(dep)
        graph[name] = edges
    for cycle in find_cycles(graph):
        start = cycle[0]
        n = first_index[start]
        index = next(i for i, dep in dependencies(pipeline["nodes"][n]) if dep == cycle[1])
        problems.append(
            located(
                locations,
                ("pipelines", p, "nodes", n, "depends_on", index),
                f"dependency cycle in pipeline {label}: {' -> '.join(cycle)} (each depends on "
                f"the next)",
                error=PlanError,
            )
        )
    return problems


def find_cycles(graph: dict[str, list[str]]) -> list[list[str]]:
    """One cycle (``[a, b, a]``) per group of nodes that depend on each other, in file order.

    ``graph`` maps each node to the nodes it depends on (every name is a key). Iterative, so a
    long chain never exhausts the stack.
    """
    order = {name: i for i, name in enumerate(graph)}
    components = _strongly_connected(graph)
    cycles: list[list[str]] = []
    for component in sorted(components, key=lambda c: min(order[n] for n in c)):
        if len(component) < 2:
            continue
        members = set(component)
        start = min(component, key=order.__getitem__)
        path = [start]
        current = start
        while True:
            current = min((d for d in graph[current] if d in members), key=order.__getitem__)
            if current in path:
                cycles.append([*path[path.index(current) :], current])
                break
            path.append(current)
    return cycles


def _strongly_connected(graph: dict[str, list[str]]) -> list[list[str]]:
    """Tarjan's algorithm without recursion."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    result: list[list[str]] = []
    counter = 0
    for root in graph:
        if root in index:
            continue
        work: list[tuple[str, int]] = [(root, 0)]
        while work:
            node, child = work.pop()
            if child == 0:
                index[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack.add(node)
            deps = graph[node]
            if child < len(deps):
                work.append((node, child + 1))
                dep = deps[child]
                if dep not in index:
                    work.append((dep, 0))
                elif dep in on_stack:
                    low[node] = min(low[node], index[dep])
                continue
            for dep in deps:
                if dep in on_stack:
                    low[node] = min(low[node], low[dep])
            if low[node] == index[node]:
                component: list[str] = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                result.append(component)
    return result
