"""What a project asks of its engine, checked against the engine's ``capabilities`` at load time.

Every engine registers the features it supports (:class:`~odibi_core.plugins.types.EngineSpec`
``capabilities``). A project that needs a missing one fails when it is loaded, that is in
``odibi validate`` and before ``odibi run`` touches any data, with the file, line and key of
every node that needs it.

==================  ==========================================================================
capability          needed by
==================  ==========================================================================
``sql``             SQL and transformer steps, validations (compiled to one SQL aggregate)
``python_steps``    ``- function:`` steps
``files``           ``read``/``write`` with ``path`` (CSV, Parquet, JSON)
``arrow``           ``read``/``write`` with ``table`` or ``query`` (table connections via Arrow),
                    or a plugin ``format`` (``delta``: see :mod:`odibi_core.config.formats`)
``fsspec``          connections whose files an fsspec filesystem serves (``azure_blob``): the
                    engine registers it with DuckDB (duckdb, pandas)
==================  ==========================================================================

A connection type may require more of the engine (:class:`~odibi_core.plugins.types.ConnectionSpec`
``engine_capabilities``): the ``hadoop`` connection of ``odibi-engine-spark`` needs ``hadoop_fs``,
which only the ``spark`` engine has.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from odibi_core.config.locations import KeyPath
from odibi_core.config.models import FILE_FORMATS, FunctionStep, NodeConfig, ProjectConfig
from odibi_core.config.problems import Problem, located, raise_problems

if TYPE_CHECKING:
    from collections.abc import Mapping

    from odibi_core.config.locations import LocationMap
    from odibi_core.plugins.types import ConnectionSpec, EngineSpec

CAPABILITY_USES = {
    "sql": "a SQL step or a validation",
    "python_steps": "a Python (function) step",
    "files": "a file read or write (path:)",
    "arrow": "a table read or write (table: or query:)",
    "fsspec": "files served by an fsspec filesystem",
}
"""Each known capability and what in a project needs it."""


def node_needs(node: NodeConfig, prefix: KeyPath) -> Iterator[tuple[str, KeyPath]]:
    """``(capability, key path)`` for every feature ``node`` uses."""
    for section in ("read", "write"):
        part = getattr(node, section)
        if part is not None:
            builtin_format = part.format is None or part.format in FILE_FORMATS
            needed = "files" if part.path and builtin_format else "arrow"
            yield needed, (*prefix, section)
    for i, step in enumerate(node.transform.steps if node.transform else []):
        yield (
            ("python_steps" if isinstance(step, FunctionStep) else "sql"),
            (*prefix, "transform", "steps", i),
        )
    if node.validation is not None:
        yield "sql", (*prefix, "validation")


def capability_problems(
    config: ProjectConfig,
    engine: EngineSpec,
    locations: LocationMap,
    connections: Mapping[str, ConnectionSpec] | None = None,
) -> list[Problem]:
    """Every project feature ``engine`` cannot do, each at its file and line.

    ``connections`` maps connection names to their registered types, whose
    ``engine_capabilities`` the engine must have when a node uses the connection.
    """
    problems: list[Problem] = []
    supported = ", ".join(sorted(engine.capabilities)) or "nothing"
    for p_index, pipeline in enumerate(config.pipelines):
        for n_index, node in enumerate(pipeline.nodes):
            prefix = ("pipelines", p_index, "nodes", n_index)
            for needed, path in node_needs(node, prefix):
                if needed not in engine.capabilities:
                    problems.append(
                        located(
                            locations,
                            path,
                            f"node {node.name!r} of pipeline {pipeline.pipeline!r} uses "
                            f"{CAPABILITY_USES.get(needed, needed)}, which engine "
                            f"{engine.name!r} cannot do "
                            f"(it supports: {supported})",
                            hint="Choose another engine, or rewrite the node with what this "
                            "engine supports.",
                        )
                    )
            for section in ("read", "write"):
                part = getattr(node, section)
                spec = (connections or {}).get(part.connection) if part is not None else None
                missing = sorted(spec.engine_capabilities - engine.capabilities) if spec else []
                if spec is not None and missing:
                    problems.append(
                        located(
                            locations,
                            (*prefix, section, "connection"),
                            f"connection {part.connection!r} (type {spec.name}) needs an "
                            "engine with "
                            f"{', '.join(missing)}; engine {engine.name!r} supports: {supported}",
                            hint=f"Use an engine that has {', '.join(missing)} (e.g. engine: "
                            "spark for type "
                            f"{spec.name}), or another connection type.",
                        )
                    )
    return problems


def check_engine_capabilities(
    config: ProjectConfig,
    engine: EngineSpec,
    locations: LocationMap,
    connections: Mapping[str, ConnectionSpec] | None = None,
) -> None:
    """Raise a :class:`~odibi_core.errors.ConfigError` listing :func:`capability_problems`."""
    raise_problems(capability_problems(config, engine, locations, connections))
