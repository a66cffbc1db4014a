"""The pipeline graph of a report as inline SVG: layers left to right, nodes coloured by status.

Each node is a link to its section of the page (``#node-<name>``) and carries ``data-node`` and
``data-status`` attributes, so the picture and the text can be checked by the same means.
"""

from __future__ import annotations

from html import escape

NODE_WIDTH = 184
NODE_HEIGHT = 50
GAP_X = 64
GAP_Y = 18
PAD = 14
MAX_LABEL = 22

STATUS_MARK = {"success": "✓", "failed": "✗", "skipped": "–", "unchanged": "=", "interrupted": "■"}  # noqa: RUF001
"""A mark shown before each status word, so the status does not rely on colour alone."""


def node_anchor(name: str) -> str:
    """The HTML id of a node's section."""
    return f"node-{name}"


def render_graph_svg(
    layers: list[list[str]], edges: list[list[str]], status_of: dict[str, str]
) -> str:
    """An ``<svg>`` element drawing ``layers`` (left to right) and ``edges`` (upstream ->
    downstream)."""
    if not layers:
        return (
            '<svg class="graph" width="0" height="0" role="img" aria-label="empty pipeline"></svg>'
        )
    tallest = max(len(layer) for layer in layers)
    height = PAD * 2 + tallest * NODE_HEIGHT + (tallest - 1) * GAP_Y
    width = PAD * 2 + len(layers) * NODE_WIDTH + (len(layers) - 1) * GAP_X
    where: dict[str, tuple[float, float]] = {}
    for i, layer in enumerate(layers):
        offset = (tallest - len(layer)) * (NODE_HEIGHT + GAP_Y) / 2
        for j, name in enumerate(layer):
            where[name] = (PAD + i * (NODE_WIDTH + GAP_X), PAD + offset + j * (NODE_HEIGHT + GAP_Y))
    parts = [
        f'<svg class="graph" xmlns="http://www.w3.org/2000/svg" width="{width}" '
        f'height="{height:.0f}" '
        f'viewBox="0 0 {width} {height:.0f}" role="img" aria-label="pipeline graph">',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
        'markerHeight="7" '
        'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
        'class="arrowhead"/></marker></defs>',
    ]
    for upstream, downstream in edges:
        if upstream not in where or downstream not in where:
            continue
        x1, y1 = where[upstream][0] + NODE_WIDTH, where[upstream][1] + NODE_HEIGHT / 2
        x2, y2 = where[downstream][0], where[downstream][1] + NODE_HEIGHT / 2
        bend = GAP_X / 2
        parts.append(
            f'<path class="edge st-{escape(status_of.get(upstream, ""))}" '
            f'data-edge="{escape(f"{upstream}->{downstream}")}" d="M{x1:.1f},{y1:.1f} '
            f'C{x1 + bend:.1f},{y1:.1f} {x2 - bend:.1f},{y2:.1f} {x2 - 2:.1f},{y2:.1f}" '
            'marker-end="url(#arrow)"/>'
        )
    for layer in layers:
        for name in layer:
            parts.append(_node(name, status_of.get(name, "unknown"), *where[name]))
    parts.append("</svg>")
    return "\n".join(parts)


def _node(name: str, status: str, x: float, y: float) -> str:
    label = name if len(name) <= MAX_LABEL else name[: MAX_LABEL - 1] + "…"
    mark = STATUS_MARK.get(status, "?")
    return (
        f'<a href="#{escape(node_anchor(name))}">'
        f'<g class="gnode st-{escape(status)}" data-node="{escape(name)}" '
        f'data-status="{escape(status)}">'
        f"<title>{escape(name)}: {escape(status)}</title>"
        f'<rect x="{x:.1f}" y="{y:.1f}" rx="9" ry="9" width="{NODE_WIDTH}" height="{NODE_HEIGHT}"/>'
        f'<text class="gname" x="{x + 12:.1f}" y="{y + 21:.1f}">{escape(label)}</text>'
        f'<text class="gstatus" x="{x + 12:.1f}" y="{y + 39:.1f}">{mark} {escape(status)}</text>'
        f"</g></a>"
    )
