"""What a project asks of its engine, checked against the engine's ``capabilities`` at load time.

Every engine registers the features it supports (:class:`~odibi_core.plugins.types.EngineSpec`
``capabilities``). A project that needs a missing one fails when it is loaded, that is in
``odibi validate`` and before ``odibi run`` touches any data, with the file, line and key of the
first node that needs it.

==================  ==========================================================================
capability          needed by
==================  ==========================================================================
``sql``             SQL and transformer steps, validations (compiled to one SQL aggregate)
``python_steps``    ``- function:`` steps
``files``           ``read``/``write`` with ``path`` (CSV, Parquet, JSON)
``arrow``           ``read``/``write`` with ``table`` or ``query`` (table connections via Arrow)
==================  ==========================================================================

A connection type may require more of the engine (:class:`~odibi_core.plugins.types.ConnectionSpec`
``engine_capabilities``): the ``hadoop`` connection of ``odibi-engine-spark`` needs ``hadoop_fs``,
which only the ``spark`` engine has.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from odibi_core.config.locations import KeyPath, format_path
from odibi_core.config.models import FunctionStep, NodeConfig, ProjectConfig
from odibi_core.errors import ConfigError

if TYPE_CHECKING:
    from collections.abc import Mapping

    from odibi_core.config.locations import LocationMap
    from odibi_core.plugins.types import ConnectionSpec, EngineSpec

CAPABILITY_USES = {
    "sql": "a SQL step or a validation",
    "python_steps": "a Python (function) step",
    "files": "a file read or write (path:)",
    "arrow": "a table read or write (table: or query:)",
}
"""Each known capability and what in a project needs it."""


def node_needs(node: NodeConfig, prefix: KeyPath) -> Iterator[tuple[str, KeyPath]]:
    """``(capability, key path)`` for every feature ``node`` uses."""
    for section in ("read", "write"):
        part = getattr(node, section)
        if part is not None:
            needed = "files" if part.path else "arrow"
            yield needed, (*prefix, section)
    for i, step in enumerate(node.transform.steps if node.transform else []):
        yield ("python_steps" if isinstance(step, FunctionStep) else "sql"), (*prefix, "transform", "steps", i)
    if node.validation is not None:
        yield "sql", (*prefix, "validation")


def check_engine_capabilities(config: ProjectConfig, engine: EngineSpec, locations: LocationMap,
                              connections: Mapping[str, ConnectionSpec] | None = None) -> None:
    """Raise :class:`ConfigError` at the first project feature ``engine`` cannot do.

    ``connections`` maps connection names to their registered types, whose
    ``engine_capabilities`` the engine must have when a node uses the connection.
    """
    supported = ", ".join(sorted(engine.capabilities)) or "nothing"
    for p_index, pipeline in enumerate(config.pipelines):
        for n_index, node in enumerate(pipeline.nodes):
            prefix = ("pipelines", p_index, "nodes", n_index)
            for needed, path in node_needs(node, prefix):
                if needed not in engine.capabilities:
                    raise ConfigError(
                        f"{locations.find(path)}: {format_path(path)}: node {node.name!r} of pipeline "
                        f"{pipeline.pipeline!r} uses {CAPABILITY_USES.get(needed, needed)}, which engine "
                        f"{engine.name!r} cannot do (it supports: {supported})",
                        hint="Choose another engine, or rewrite the node with what this engine supports.",
                    )
            for section in ("read", "write"):
                part = getattr(node, section)
                spec = (connections or {}).get(part.connection) if part is not None else None
                missing = sorted(spec.engine_capabilities - engine.capabilities) if spec else []
                if spec is not None and missing:
                    path = (*prefix, section, "connection")
                    raise ConfigError(
                        f"{locations.find(path)}: {format_path(path)}: connection {part.connection!r} "
                        f"(type {spec.name}) needs an engine with {', '.join(missing)}; engine "
                        f"{engine.name!r} supports: {supported}",
                        hint=f"Use an engine that has {', '.join(missing)} (e.g. engine: spark for type "
                        f"{spec.name}), or another connection type.",
                    )
