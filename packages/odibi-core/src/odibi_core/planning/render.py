"""Render a plan as text, Mermaid or Graphviz dot."""

from __future__ import annotations

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


def render_mermaid(plan: Plan) -> str:
    """A Mermaid ``flowchart LR``."""
    lines = ["flowchart LR"]
    for name in plan.nodes:
        lines.append(f'  {name}["{_label(plan, name)}"]')
    for name, deps in plan.upstream.items():
        for dep in deps:
            lines.append(f"  {dep} --> {name}")
    return "\n".join(lines)


def render_dot(plan: Plan) -> str:
    """A Graphviz ``digraph``."""
    lines = [f'digraph "{plan.pipeline.pipeline}" {{', "  rankdir=LR;"]
    for name in plan.nodes:
        lines.append(f'  "{name}" [label="{_label(plan, name)}"];')
    for name, deps in plan.upstream.items():
        for dep in deps:
            lines.append(f'  "{dep}" -> "{name}";')
    lines.append("}")
    return "\n".join(lines)
