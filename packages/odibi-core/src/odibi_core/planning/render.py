"""Render a plan as text, Mermaid or Graphviz dot."""

from __future__ import annotations

from collections.abc import Sequence

from odibi_core.planning.dag import Plan


def _label(plan: Plan, name: str) -> str:
    node = plan.nodes[name]
    parts = []
    if node.read:
        parts.append(f"read {node.read.connection}")
    if node.transform:
        parts.append(f"{len(node.transform.steps)} step(s)")
    if node.write:
        parts.append(f"write {node.write.connection}")
    return f"{name} ({', '.join(parts)})" if parts else name


def render_text(plan: Plan) -> str:
    """Layers, one line per node with its dependencies."""
    lines = [f"pipeline {plan.pipeline.pipeline}"]
    for i, layer in enumerate(plan.layers, 1):
        lines.append(f"  layer {i}")
        for name in layer:
            deps = plan.upstream[name]
            arrow = f" <- {', '.join(deps)}" if deps else ""
            lines.append(f"    {_label(plan, name)}{arrow}")
    return "\n".join(lines)


MERMAID_SAFE = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 _.,()-")
"""Characters written as they are in a Mermaid label; every other one becomes an entity code."""


def mermaid_text(text: str) -> str:
    """``text`` for a quoted Mermaid label: any character that could end the label or start
    markup (quotes, brackets, ``#``, ``;``, ``<``, non-ASCII...) as a ``#NNN;`` entity code."""
    return "".join(c if c in MERMAID_SAFE else f"#{ord(c)};" for c in text)


def render_mermaid(plans: Sequence[Plan]) -> str:
    """One Mermaid ``flowchart LR`` with a ``subgraph`` per pipeline.

    Node and subgraph ids are generated (``p1``, ``p1n2``): a node called ``end``, ``graph`` or
    ``subgraph`` (Mermaid keywords) cannot break the diagram; names appear only in labels.
    """
    lines = ["flowchart LR"]
    edges: list[str] = []
    for i, plan in enumerate(plans, 1):
        ids = {name: f"p{i}n{j}" for j, name in enumerate(plan.nodes, 1)}
        lines.append(f'  subgraph p{i}["{mermaid_text("pipeline " + plan.pipeline.pipeline)}"]')
        lines.append("    direction LR")
        for name in plan.nodes:
            lines.append(f'    {ids[name]}["{mermaid_text(_label(plan, name))}"]')
        lines.append("  end")
        for name, deps in plan.upstream.items():
            edges += [f"  {ids[dep]} --> {ids[name]}" for dep in deps]
    return "\n".join(lines + edges)


def _dot_text(text: str) -> str:
    """``text`` inside a double-quoted dot string."""
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def render_dot(plans: Sequence[Plan]) -> str:
    """One Graphviz ``digraph`` with a ``cluster`` subgraph per pipeline.

    Node ids are generated (``p1n2``), as in :func:`render_mermaid`: two pipelines may have nodes
    of the same name, and names appear only in labels.
    """
    lines = ['digraph "odibi" {', "  rankdir=LR;"]
    for i, plan in enumerate(plans, 1):
        ids = {name: f"p{i}n{j}" for j, name in enumerate(plan.nodes, 1)}
        lines.append(f"  subgraph cluster_p{i} {{")
        lines.append(f'    label="{_dot_text("pipeline " + plan.pipeline.pipeline)}";')
        for name in plan.nodes:
            lines.append(f'    {ids[name]} [label="{_dot_text(_label(plan, name))}"];')
        for name, deps in plan.upstream.items():
            lines += [f"    {ids[dep]} -> {ids[name]};" for dep in deps]
        lines.append("  }")
    lines.append("}")
    return "\n".join(lines)
