"""Sections owned by plugins, checked with the config models the plugins registered.

``engine_options`` by the engine's model, each connection's keys (other than ``type``) by its
type's model, the ``state:`` keys a backend adds by the backend's model; ``plugins.requires``
against what is installed; every node's ``connection:`` against the connections defined; and
what the project asks of its engine against the engine's capabilities. Works on the resolved
document, so a plugin section's mistake is reported even when another part of the file fails
model validation.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel, ValidationError

from odibi_core.config.errors import validation_problems
from odibi_core.config.locations import KeyPath, LocationMap
from odibi_core.config.models import ConnectionConfig, StateConfig
from odibi_core.config.problems import Problem, located
from odibi_core.config.project_checks import iter_nodes, iter_pipelines
from odibi_core.config.suggestions import did_you_mean
from odibi_core.errors import PluginError
from odibi_core.plugins.options import NoOptions

if TYPE_CHECKING:
    from odibi_core.config.loader import LoadedProject
    from odibi_core.plugins.manager import OdibiPluginManager
    from odibi_core.plugins.types import ConnectionSpec, EngineSpec, StateBackendSpec

SpecT = TypeVar("SpecT")

DEFAULT_ENGINE = "duckdb"


def plugin_section_problems(
    data: dict[str, Any],
    locations: LocationMap,
    pm: OdibiPluginManager,
    project: LoadedProject | None,
) -> list[Problem]:
    """Every plugin-section problem of the resolved ``data``; fills ``project``'s options."""
    problems: list[Problem] = []
    plugins = data.get("plugins")
    requires = plugins.get("requires") if isinstance(plugins, dict) else None
    for i, text in enumerate(requires if isinstance(requires, list) else []):
        if isinstance(text, str):
            _lookup(pm.require, [text], locations, ("plugins", "requires", i), problems)

    engine_name = data.get("engine", DEFAULT_ENGINE)
    engine: EngineSpec | None = None
    if isinstance(engine_name, str):
        engine = _lookup(pm.engine, engine_name, locations, ("engine",), problems)
    options = data.get("engine_options") or {}
    if engine is not None and isinstance(options, dict):
        validated = _options(engine, options, locations, ("engine_options",), problems)
        if project is not None:
            project.engine_options = validated

    specs: dict[str, ConnectionSpec] = {}
    connections = data.get("connections")
    connections = connections if isinstance(connections, dict) else {}
    for name, conn in connections.items():
        if not isinstance(conn, dict) or not isinstance(conn.get("type"), str):
            continue  # the project model reports it
        spec = _lookup(
            pm.connection, conn["type"], locations, ("connections", name, "type"), problems
        )
        if spec is None:
            continue
        specs[name] = spec
        own = {k: v for k, v in conn.items() if k not in ConnectionConfig.model_fields}
        validated = _options(spec, own, locations, ("connections", name), problems)
        if project is not None and validated is not None:
            project.connection_options[name] = validated
    problems += _node_connection_problems(data, locations, connections)
    if project is not None and engine is not None:
        from odibi_core.config.capabilities import capability_problems

        problems += capability_problems(project.config, engine, locations, specs)
        from odibi_core.config.formats import format_problems

        problems += format_problems(project, pm, engine)
        from odibi_core.config.transformer_checks import transformer_problems

        problems += transformer_problems(project, pm)
    problems += _state_problems(data, locations, pm, project)
    return problems


def _state_problems(
    data: dict[str, Any],
    locations: LocationMap,
    pm: OdibiPluginManager,
    project: LoadedProject | None,
) -> list[Problem]:
    problems: list[Problem] = []
    state = data.get("state")
    if state is None:
        if "local" in pm.state_backends() and project is not None:
            project.state_backend = "local"
            project.state_options = (pm.state_backend("local").options_model() or NoOptions)()
        return problems
    if not isinstance(state, dict):
        return problems
    backend = state.get("backend", "local")
    if not isinstance(backend, str):
        return problems
    spec = _lookup(pm.state_backend, backend, locations, ("state", "backend"), problems)
    if spec is None:
        return problems
    own = {k: v for k, v in state.items() if k not in StateConfig.model_fields}
    validated = _options(spec, own, locations, ("state",), problems)
    if project is not None:
        project.state_backend = backend
        project.state_options = validated
    return problems


def _node_connection_problems(
    data: dict[str, Any], locations: LocationMap, connections: dict[str, Any]
) -> list[Problem]:
    """Every ``read.connection`` / ``write.connection`` must name a defined connection."""
    problems: list[Problem] = []
    defined = ", ".join(sorted(map(str, connections))) or "none"
    for p, pipeline in iter_pipelines(data):
        for n, node in iter_nodes(pipeline):
            for section in ("read", "write"):
                part = node.get(section)
                name = part.get("connection") if isinstance(part, dict) else None
                if isinstance(name, str) and name not in connections:
                    problems.append(
                        located(
                            locations,
                            ("pipelines", p, "nodes", n, section, "connection"),
                            f"unknown connection {name!r}"
                            f"{did_you_mean(name, map(str, connections))}; "
                            f"defined: {defined}",
                        )
                    )
    return problems


def _lookup(
    fn: Callable[[Any], SpecT],
    arg: Any,
    locations: LocationMap,
    path: KeyPath,
    problems: list[Problem],
) -> SpecT | None:
    """``fn(arg)``, or ``None`` with a located problem if it raises a plugin error."""
    try:
        return fn(arg)
    except PluginError as exc:
        problems.append(located(locations, path, exc.message, error=type(exc), hint=exc.hint))
        return None


def _options(
    spec: EngineSpec | ConnectionSpec | StateBackendSpec,
    options: dict[str, Any],
    locations: LocationMap,
    path: KeyPath,
    problems: list[Problem],
) -> BaseModel | None:
    """``options`` validated by ``spec``'s options model, or ``None`` with located problems."""
    try:
        model = spec.options_model() or NoOptions
    except PluginError as exc:  # a "module:Class" reference that cannot be loaded
        problems.append(located(locations, path, exc.message, error=type(exc), hint=exc.hint))
        return None
    try:
        return model.model_validate(options)
    except ValidationError as exc:
        problems += validation_problems(exc, options, locations, model, prefix=path)
        return None
