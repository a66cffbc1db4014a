"""The YAML configuration reference, generated from the pydantic models.

The walk starts at :class:`odibi_core.config.models.ProjectConfig` and follows every nested model
(through optionals, lists, mappings and unions). Sections a plugin owns (``engine_options``, a
connection's options, ``state:`` options) are documented from the ``config_model`` of every spec
registered with the plugin manager, so an installed plugin's keys appear without touching the docs.

Key paths use one notation everywhere: ``a.b`` for a nested key, ``a[]`` for the items of a list
and ``a.<name>`` for the values of a mapping keyed by names the project chooses.
"""

from __future__ import annotations

import enum
import json
import re
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, SecretStr
from pydantic.fields import FieldInfo

from odibi_docgen.common import GENERATED_NOTE, REFERENCE, code, slug, table, write_if_changed

PAGE = REFERENCE / "configuration.md"


@dataclass
class Section:
    """One model documented at one key path."""

    path: str
    model: type[BaseModel]
    title: str
    intro: str
    rows: list[tuple[str, str, str, str]] = field(default_factory=list)
    heading: str = ""
    anchor: str = ""


def _doc(model: type[BaseModel]) -> str:
    """First paragraph of the model's docstring without its ````key:``:`` prefix."""
    text = (model.__doc__ or "").strip()
    first = " ".join(text.split("\n\n")[0].split())
    first = re.sub(r"^``[^`]*``:?\s*", "", first)
    return first[:1].upper() + first[1:]


def _args(annotation: Any) -> tuple[Any, ...]:
    return typing.get_args(annotation)


def _is_union(annotation: Any) -> bool:
    return typing.get_origin(annotation) in (typing.Union, types.UnionType)


def _models_in(annotation: Any, path: str) -> list[tuple[str, type[BaseModel]]]:
    """Nested models reachable from ``annotation`` at ``path``, with the path of each."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        # a model without fields (the refusal of an invalid transform step) has nothing to list
        return [(path, annotation)] if annotation.model_fields else []
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:  # a discriminated union, e.g. the kinds of transform step
        return _models_in(_args(annotation)[0], path)
    if _is_union(annotation):
        found: list[tuple[str, type[BaseModel]]] = []
        for arg in _args(annotation):
            found += _models_in(arg, path)
        return found
    if origin in (list, tuple, set, frozenset) and _args(annotation):
        return _models_in(_args(annotation)[0], f"{path}[]")
    if origin is dict and len(_args(annotation)) == 2:
        return _models_in(_args(annotation)[1], f"{path}.<name>")
    return []


def _is_fieldless_model(annotation: Any) -> bool:
    """A model without fields (``Annotated`` unwrapped): an internal refusal, not a type to list."""
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = _args(annotation)[0]
    is_model = isinstance(annotation, type) and issubclass(annotation, BaseModel)
    return is_model and not annotation.model_fields


def type_text(annotation: Any, anchors: dict[type[BaseModel], str]) -> str:
    """A reader's name for a type (models link to their section)."""
    if annotation is type(None):
        return "null"
    if annotation is Any:
        return "any"
    if isinstance(annotation, type):
        if issubclass(annotation, BaseModel):
            return (
                f"[{annotation.__name__}](#{anchors[annotation]})"
                if annotation in anchors
                else annotation.__name__
            )
        if issubclass(annotation, SecretStr):
            return "secret string (masked everywhere)"
        if issubclass(annotation, enum.Enum):
            return "one of " + ", ".join(code(m.value) for m in annotation)
        names = {str: "string", int: "integer", float: "number", bool: "boolean", Path: "path"}
        return names.get(annotation, annotation.__name__)
    origin = typing.get_origin(annotation)
    if origin is typing.Literal:
        return "one of " + ", ".join(code(v) for v in _args(annotation))
    if _is_union(annotation):
        parts = [a for a in _args(annotation) if a is not type(None) and not _is_fieldless_model(a)]
        nulls = type(None) in _args(annotation)
        text = " or ".join(type_text(a, anchors) for a in parts)
        return text + (" or null" if nulls else "")
    if origin in (list, tuple, set, frozenset):
        inner = _args(annotation)
        return f"list of {type_text(inner[0], anchors)}" if inner else "list"
    if origin is dict:
        key, value = ((*_args(annotation), Any, Any))[:2]
        return f"mapping of {type_text(key, anchors)} to {type_text(value, anchors)}"
    if origin is typing.Annotated:
        return type_text(_args(annotation)[0], anchors)
    return str(annotation).replace("typing.", "")


def default_text(info: FieldInfo) -> str:
    """The default as YAML would spell it, or ``required``."""
    if info.is_required():
        return "required"
    if info.default_factory is not None:
        try:
            value = info.default_factory()  # type: ignore[call-arg]
        except TypeError:
            return "computed"
    else:
        value = info.get_default()
    if isinstance(value, BaseModel):
        return "see section"
    if isinstance(value, SecretStr):
        return "masked"
    if isinstance(value, enum.Enum):
        value = value.value
    try:
        return code(json.dumps(value, default=str))
    except (TypeError, ValueError):
        return code(repr(value))


def constraints_text(info: FieldInfo) -> str:
    """Bounds and patterns declared on the field."""
    notes: list[str] = []
    for meta in info.metadata:
        for attr, label in (
            ("ge", "≥"),
            ("gt", ">"),
            ("le", "≤"),
            ("lt", "<"),
            ("min_length", "at least"),
            ("max_length", "at most"),
        ):
            value = getattr(meta, attr, None)
            if value is not None:
                notes.append(f"{label} {value}" + (" item(s)" if "length" in attr else ""))
        pattern = getattr(meta, "pattern", None)
        if pattern:
            notes.append(f"pattern {code(pattern)}")
    return f" ({'; '.join(notes)})" if notes else ""


def walk(
    model: type[BaseModel],
    path: str,
    title: str,
    intro: str,
    out: list[Section],
    seen: set[tuple[str, type[BaseModel]]],
) -> None:
    """Add the section of ``model`` at ``path`` and, depth first, those of its nested models."""
    if (path, model) in seen:
        return
    seen.add((path, model))
    section = Section(path, model, title, intro)
    out.append(section)
    for name, info in model.model_fields.items():
        key = info.alias or name
        full = f"{path}.{key}" if path else key
        for sub_path, sub_model in _models_in(info.annotation, full):
            walk(sub_model, sub_path, sub_path, _doc(sub_model), out, seen)


def _assign_anchors(sections: list[Section], used: set[str]) -> None:
    """Unique heading ids; alternatives of a union at one path are told apart by model name."""
    titles = [s.title for s in sections]
    for section in sections:
        duplicate = titles.count(section.title) > 1
        base = "cfg-" + slug(section.title + (f" {section.model.__name__}" if duplicate else ""))
        anchor, n = base, 1
        while anchor in used:
            n += 1
            anchor = f"{base}-{n}"
        used.add(anchor)
        section.anchor = anchor
        if not section.heading:
            section.heading = f"`{section.title}`" if section.path else section.title
            if duplicate:
                section.heading += f" ({section.model.__name__})"


def _render_rows(sections: list[Section]) -> None:
    anchors: dict[type[BaseModel], str] = {}
    for section in sections:
        anchors.setdefault(section.model, section.anchor)
    for section in sections:
        for name, info in section.model.model_fields.items():
            key = info.alias or name
            full = f"{section.path}.{key}" if section.path else key
            description = info.description or ""
            nested = _models_in(info.annotation, full)
            if not description and nested:
                description = _doc(nested[0][1])
            section.rows.append(
                (
                    code(full),
                    type_text(info.annotation, anchors),
                    default_text(info),
                    description + constraints_text(info),
                )
            )


def project_sections() -> list[Section]:
    """Sections of the project file, root first."""
    from odibi_core.config.models import ProjectConfig

    sections: list[Section] = []
    walk(ProjectConfig, "", "Root keys", _doc(ProjectConfig), sections, set())
    return sections


def plugin_sections() -> list[tuple[str, list[Section]]]:
    """Option sections of every registered engine, connection type and state backend."""
    from odibi_core.plugins.manager import create_plugin_manager

    pm = create_plugin_manager()
    groups: list[tuple[str, list[Section]]] = []
    kinds = (
        ("Engines", pm.engines(), "engine_options", "engine: {name}"),
        ("Connection types", pm.connections(), "connections.<name>", "type: {name}"),
        ("State backends", pm.state_backends(), "state", "backend: {name}"),
    )
    for heading, registry, path, selector in kinds:
        sections: list[Section] = []
        for name, registered in sorted(registry.items()):
            spec = registered.spec
            model = spec.options_model()
            title = f"{path} with {selector.format(name=name)}"
            description = (spec.description or (_doc(model) if model else "")).rstrip(".")
            intro = (
                f"{description}. Provided by `{registered.distribution}`."
                if description
                else f"Provided by `{registered.distribution}`."
            )
            start = len(sections)
            if model is None or not model.model_fields:
                sections.append(Section(path, _empty_model(), title, intro + " Takes no options."))
            else:
                walk(model, path, title, intro, sections, set())
            sections[start].heading = f"`{path}` when `{selector.format(name=name)}`"
        groups.append((heading, sections))
    groups.append(("Formats", format_sections(pm)))
    return groups


FORMAT_OPTION_PATHS = (
    ("read", "pipelines[].nodes[].read.options"),
    ("write", "pipelines[].nodes[].write.options"),
)
"""Where a plugin format's read and write options live in a project file."""


def format_sections(pm: Any) -> list[Section]:
    """Sections of the read and write options of every plugin format (``format: delta`` ...)."""
    sections: list[Section] = []
    for name, registered in sorted(pm.formats().items()):
        spec = registered.spec
        for side, path in FORMAT_OPTION_PATHS:
            model = spec.read_options if side == "read" else spec.write_options
            title = f"{side}.options with format: {name}"
            intro = f"{spec.description.rstrip('.')}. Provided by `{registered.distribution}`."
            if side == "write":
                intro += f" Write modes: {', '.join(code(m) for m in sorted(spec.write_modes))}."
            start = len(sections)
            if model is None or not model.model_fields:
                sections.append(Section(path, _empty_model(), title, intro + " Takes no options."))
            else:
                walk(model, path, title, intro, sections, set())
            sections[start].heading = f"`{side}.options` when `format: {name}`"
    return sections


def _empty_model() -> type[BaseModel]:
    from odibi_core.plugins.options import NoOptions

    return NoOptions


def secret_providers() -> list[tuple[str, str, str]]:
    """``(name, description, distribution)`` of every registered secret provider."""
    from odibi_core.plugins.manager import create_plugin_manager

    pm = create_plugin_manager()
    return [
        (n, r.spec.description, r.distribution) for n, r in sorted(pm.secret_providers().items())
    ]


def render() -> str:
    """The whole page."""
    core = project_sections()
    plugins = plugin_sections()
    used: set[str] = set()
    _assign_anchors(core, used)
    for _, sections in plugins:
        _assign_anchors(sections, used)
    _render_rows(core)
    for _, sections in plugins:
        _render_rows(sections)
    headers = ("Key", "Type", "Default", "Description")
    out = [
        GENERATED_NOTE,
        "# Configuration reference\n",
        "Every key of an Odibi project file, generated from the pydantic models on every docs "
        "build. Unknown keys are errors everywhere (with a *did you mean* suggestion).\n",
        "Key paths: `a.b` is a nested key, `a[]` the items of a list, `a.<name>` the values of "
        "a mapping keyed by names you choose. Values may use `${env:NAME}`, `${NAME}` and "
        "`${secret:NAME}` references (see [Secrets and redaction](../operations/secrets.md)). "
        "A project file is UTF-8 YAML without tags, within limits on size, nesting and aliases "
        "([Validating a project](../guides/validating.md#limits)); number fields refuse `true`, "
        "`.inf` and `.nan`.\n",
        "## Project file\n",
    ]
    for section in core:
        out.append(f"### {section.heading} {{#{section.anchor}}}\n")
        if section.intro:
            out.append(section.intro + "\n")
        if section.model.model_config.get("extra") == "allow":
            out.append(
                "The other keys of this section belong to the selected component and are "
                "checked by its config model: see [Plugin options](#plugin-options).\n"
            )
        out.append(table(headers, section.rows))
    out.append("## Plugin options\n")
    out.append(
        "Keys owned by a component are checked by the config model its plugin registered. "
        "The lists below come from the plugins installed when the docs were built.\n"
    )
    for heading, sections in plugins:
        out.append(f"### {heading}\n")
        if not sections:
            out.append("None installed.\n")
        for section in sections:
            out.append(f"#### {section.heading} {{#{section.anchor}}}\n")
            out.append(section.intro + "\n")
            if section.rows:
                out.append(table(headers, section.rows))
    out.append("### Secret providers\n")
    out.append("Names usable in `secrets.providers` (tried in order).\n")
    out.append(
        table(
            ("Provider", "Description", "Provided by"),
            [(code(n), d, code(dist)) for n, d, dist in secret_providers()],
        )
    )
    return "\n".join(out)


def generate() -> Path:
    """Write the page (only if it changed)."""
    write_if_changed(PAGE, render())
    return PAGE
