"""Build the node graph of a pipeline, check it, and order it into execution layers."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from odibi_core.config.models import NodeConfig, PipelineConfig
from odibi_core.config.suggestions import did_you_mean
from odibi_core.errors import PlanError

NOT_FINGERPRINTED = {"description", "tags", "report_samples"}
"""Node keys that change nothing a node computes, so editing them never makes ``--resume`` rerun
it."""


@dataclass
class Plan:
    """A checked pipeline graph.

    Attributes:
        pipeline: The pipeline config.
        nodes: Nodes by name.
        upstream: Direct dependencies of each node.
        downstream: Direct dependents of each node.
        layers: Node names grouped so each layer only depends on earlier layers.
        fingerprints: Config fingerprint of each node (its config + upstream fingerprints).
        selected: Names chosen to run (all unless ``--node`` narrowed it).
    """

    pipeline: PipelineConfig
    nodes: dict[str, NodeConfig]
    upstream: dict[str, list[str]]
    downstream: dict[str, list[str]]
    layers: list[list[str]]
    fingerprints: dict[str, str]
    selected: list[str] = field(default_factory=list)

    @property
    def order(self) -> list[str]:
        """Selected nodes in execution order."""
        chosen = set(self.selected)
        return [n for layer in self.layers for n in layer if n in chosen]

    def descendants(self, name: str) -> set[str]:
        """Every node that depends on ``name``, directly or not."""
        seen: set[str] = set()
        stack = list(self.downstream[name])
        while stack:
            current = stack.pop()
            if current not in seen:
                seen.add(current)
                stack.extend(self.downstream[current])
        return seen

    def ancestors(self, name: str) -> set[str]:
        """Every node ``name`` depends on, directly or not."""
        seen: set[str] = set()
        stack = list(self.upstream[name])
        while stack:
            current = stack.pop()
            if current not in seen:
                seen.add(current)
                stack.extend(self.upstream[current])
        return seen


def build_plan(
    pipeline: PipelineConfig,
    *,
    select: Iterable[str] = (),
    exclude: Iterable[str] = (),
    strict: bool = True,
) -> Plan:
    """Check ``pipeline`` (duplicates, unknown dependencies, cycles) and plan its layers.

    Args:
        pipeline: The pipeline.
        select: Selectors of the nodes to run (``--select``, see
            :mod:`odibi_core.planning.selection`).
            A node needs its inputs, so its ancestors are always selected too; ``name+`` also
            selects its descendants. Empty means every node.
        exclude: Selectors of nodes left out (``--exclude``), with everything downstream of them.
        strict: A selector naming nothing in this pipeline is a usage error (``False`` when the
            caller checks the selectors against every pipeline of a project).
    """
    nodes: dict[str, NodeConfig] = {}
    for node in pipeline.nodes:
        if node.name in nodes:
            raise PlanError(f"pipeline {pipeline.pipeline}: node name {node.name!r} is used twice")
        nodes[node.name] = node
    upstream = {name: list(dict.fromkeys(node.depends_on)) for name, node in nodes.items()}
    downstream: dict[str, list[str]] = {name: [] for name in nodes}
    for name, deps in upstream.items():
        for dep in deps:
            if dep not in nodes:
                raise PlanError(
                    f"pipeline {pipeline.pipeline}: node {name!r} depends on unknown node "
                    f"{dep!r}{did_you_mean(dep, nodes)}"
                )
            if dep == name:
                raise PlanError(f"pipeline {pipeline.pipeline}: node {name!r} depends on itself")
            downstream[dep].append(name)
    layers = _layers(pipeline.pipeline, upstream)
    plan = Plan(pipeline, nodes, upstream, downstream, layers, {}, [])
    plan.fingerprints = _fingerprints(plan)
    plan.selected = _select(plan, list(select), list(exclude), strict=strict)
    return plan


def _layers(pipeline: str, upstream: dict[str, list[str]]) -> list[list[str]]:
    """Kahn's algorithm; node order inside a layer follows the file for stable output.

    Linear in nodes + edges (a chain of thousands of nodes plans at once).
    """
    position = {name: i for i, name in enumerate(upstream)}
    downstream: dict[str, list[str]] = {name: [] for name in upstream}
    missing = {name: len(set(deps)) for name, deps in upstream.items()}
    for name, deps in upstream.items():
        for dep in set(deps):
            downstream[dep].append(name)
    layers: list[list[str]] = []
    ready = [name for name, count in missing.items() if count == 0]
    placed = 0
    while ready:
        layers.append(ready)
        placed += len(ready)
        following: list[str] = []
        for name in ready:
            for dependent in downstream[name]:
                missing[dependent] -= 1
                if missing[dependent] == 0:
                    following.append(dependent)
        ready = sorted(following, key=position.__getitem__)
    if placed < len(upstream):
        remaining = {
            name: {d for d in upstream[name] if missing[d] > 0}
            for name, count in missing.items()
            if count > 0
        }
        raise PlanError(f"pipeline {pipeline}: dependency cycle: {_describe_cycle(remaining)}")
    return layers


def _describe_cycle(remaining: dict[str, set[str]]) -> str:
    """Name one cycle among ``remaining`` as ``a -> b -> a``."""
    start = next(iter(remaining))
    path = [start]
    current = start
    while True:
        current = sorted(remaining[current])[0]
        if current in path:
            cycle = [*path[path.index(current) :], current]
            return " -> ".join(cycle)
        path.append(current)


def refingerprint(plan: Plan, extra: dict[str, str]) -> None:
    """Recompute ``plan.fingerprints`` with ``extra[node]`` (e.g. the code of its Python steps)
    folded into the nodes it names, and so into every node downstream of them."""
    plan.fingerprints = _fingerprints(plan, extra)


def _fingerprints(plan: Plan, extra: dict[str, str] | None = None) -> dict[str, str]:
    result: dict[str, str] = {}
    for layer in plan.layers:
        for name in layer:
            node = plan.nodes[name]
            payload: dict[str, Any] = {
                "node": node.model_dump(mode="json", exclude=NOT_FINGERPRINTED),
                "upstream": {dep: result[dep] for dep in sorted(plan.upstream[name])},
            }
            if extra and name in extra:
                payload["code"] = extra[name]
            digest = hashlib.sha256(
                json.dumps(payload, sort_keys=True, default=str).encode()
            ).hexdigest()
            result[name] = digest[:16]
    return result


def _select(plan: Plan, select: list[str], exclude: list[str], *, strict: bool) -> list[str]:
    from odibi_core.planning.selection import check_selectors, parse_selectors, select_nodes

    chosen, dropped = parse_selectors(select), parse_selectors(exclude)
    if strict:
        check_selectors([plan], [*chosen, *dropped])
    return select_nodes(plan, chosen, dropped)
