"""The transformer reference, generated from each registered transformer's params model.

Every transformer registered through ``odibi_transformers`` (the built-in library and any
installed plugin) gets a section: its description, a table of its params (name, type, default,
description, taken from the pydantic model) and its YAML example.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from odibi_docgen.common import GENERATED_NOTE, REFERENCE, write_if_changed

PAGE = REFERENCE / "transformers.md"


def _type(annotation: Any) -> str:
    text = str(annotation).replace("typing.", "").replace("<class '", "").replace("'>", "")
    return text.replace("NoneType", "null").replace("|", "or").replace("datetime.date", "date")


def render() -> str:
    """The page's Markdown."""
    from odibi_core.plugins.manager import create_plugin_manager

    pm = create_plugin_manager()
    specs = [r.spec for r in pm.transformers().values()]
    try:
        from odibi_transformers.registry import GROUPS
    except ImportError:  # pragma: no cover - the library is not installed
        GROUPS = {}
    order = list(GROUPS)
    specs.sort(key=lambda s: (order.index(s.group) if s.group in order else len(order), s.name))
    lines = [
        "# Transformers",
        "",
        GENERATED_NOTE,
        "",
        "A `- transformer: NAME` step runs a registered transformer with typed `params:`; unknown "
        "params are errors at `odibi validate` (file, line and a suggestion). Each transformer "
        "renders one SQL query, so every engine gives the same rows.",
        "",
    ]
    group = None
    for spec in specs:
        if spec.group != group:
            group = spec.group
            lines += [f"## {GROUPS.get(group, group.title())}", ""]
        lines += [f"### `{spec.name}` {{#{spec.name.replace('_', '-')}}}", "", spec.description, ""]
        if spec.target_capability:
            lines += [
                f"Rewrites the node's write target: the write must go to a target declaring "
                f"`{spec.target_capability}` (PostgreSQL tables; Delta when installed).",
                "",
            ]
        lines += ["| param | type | default | description |", "|---|---|---|---|"]
        for name, field in spec.params_model.model_fields.items():
            default = (
                "required"
                if field.is_required()
                else f"`{field.get_default(call_default_factory=True)!r}`"
            )
            desc = (field.description or "").replace("|", "\\|")
            lines.append(f"| `{name}` | `{_type(field.annotation)}` | {default} | {desc} |")
        lines += ["", "```yaml", spec.example, "```", ""]
    return "\n".join(lines) + "\n"


def generate() -> Path:
    """Write the page."""
    write_if_changed(PAGE, render())
    return PAGE
