"""Validate-time checks of ``- transformer:`` steps and of write targets that must rewrite in place.

* Every transformer step names a registered transformer, and its ``params`` pass the transformer's
  params model; a wrong name or key is reported with the file, line and a suggestion.
* ``mode: upsert`` and transformers with a ``target_capability`` (``scd2``) need a write target
  whose connection type (and format) declares that capability through the
  ``odibi_write_capabilities`` hook; plain CSV/Parquet/JSON files declare none, so such a project
  fails here, naming the targets that can.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from pydantic import ValidationError

from odibi_core.config.errors import raise_validation_error
from odibi_core.config.locations import KeyPath, format_path
from odibi_core.config.suggestions import did_you_mean
from odibi_core.config.transformer_step import TransformerStep
from odibi_core.errors import ConfigError

INSTALL_HINT = "Install odibi-transformers (the built-in library), or the plugin that provides it."
"""Hint of an unknown-transformer error."""

if TYPE_CHECKING:
    from odibi_core.config.loader import LoadedProject
    from odibi_core.config.locations import LocationMap
    from odibi_core.config.models import NodeConfig, ProjectConfig
    from odibi_core.plugins.manager import OdibiPluginManager
    from odibi_core.plugins.types import WriteCapabilitySpec


def _transformer_steps(
    config: ProjectConfig,
) -> Iterator[tuple[NodeConfig, TransformerStep, KeyPath, KeyPath]]:
    for p_index, pipeline in enumerate(config.pipelines):
        for n_index, node in enumerate(pipeline.nodes):
            node_path: KeyPath = ("pipelines", p_index, "nodes", n_index)
            for s_index, step in enumerate(node.transform.steps if node.transform else []):
                if isinstance(step, TransformerStep):
                    yield node, step, node_path, (*node_path, "transform", "steps", s_index)


def check_transformer_steps(project: LoadedProject, pm: OdibiPluginManager) -> None:
    """Raise :class:`ConfigError` at the first bad transformer step or incapable write target."""
    config, locations = project.config, project.source.locations
    steps = list(_transformer_steps(config))
    registry = pm.transformers() if steps else {}  # a project without them imports no library
    capabilities = pm.write_capabilities()
    for node, step, node_path, step_path in steps:
        registered = registry.get(step.transformer)
        if registered is None:
            path = (*step_path, "transformer")
            available = ", ".join(sorted(registry)) or "none"
            raise ConfigError(
                f"{locations.find(path)}: {format_path(path)}: "
                f"unknown transformer {step.transformer!r}"
                f"{did_you_mean(step.transformer, registry)}; available: {available}",
                hint=INSTALL_HINT,
            )
        spec = registered.spec
        try:
            spec.params_model.model_validate(step.params)
        except ValidationError as exc:
            raise_validation_error(
                exc, step.params, locations, spec.params_model, prefix=(*step_path, "params")
            )
        if spec.target_capability is not None:
            _require_capability(
                config,
                node,
                node_path,
                spec.target_capability,
                capabilities,
                locations,
                f"transformer {spec.name!r}",
            )
    for p_index, pipeline in enumerate(config.pipelines):
        for n_index, node in enumerate(pipeline.nodes):
            if node.write is not None and node.write.mode == "upsert":
                _require_capability(
                    config,
                    node,
                    ("pipelines", p_index, "nodes", n_index),
                    "upsert",
                    capabilities,
                    locations,
                    "write mode 'upsert'",
                )


def _require_capability(
    config: ProjectConfig,
    node: NodeConfig,
    node_path: KeyPath,
    capability: str,
    declared: list[WriteCapabilitySpec],
    locations: LocationMap,
    what: str,
) -> None:
    write = node.write
    if write is None:
        raise ConfigError(
            f"{locations.find(node_path)}: {format_path(node_path)}: node {node.name!r} uses "
            f"{what}, which rewrites the node's write target: add write:"
        )
    connection = config.connections.get(write.connection)
    if connection is None:
        return  # reported by the connection reference check
    able = [d for d in declared if capability in d.capabilities]
    for d in able:
        if d.connection_type == connection.type and (not d.formats or write.format in d.formats):
            return
    path = (*node_path, "write")
    target = f"type {connection.type}" + (f", format {write.format}" if write.format else "")
    can = (
        "; ".join(
            f"{d.connection_type}"
            + (f" with format {'/'.join(sorted(d.formats))}" if d.formats else "")
            for d in able
        )
        or "none is installed"
    )
    raise ConfigError(
        f"{locations.find(path)}: {format_path(path)}: node {node.name!r} uses {what}, "
        f"but its write target (connection {write.connection!r}, {target}) cannot do "
        f"{capability!r}; targets that can: {can}",
        hint="Write to one of the targets named above (e.g. a postgres table)"
        + (", or use mode overwrite." if capability == "upsert" else "."),
    )
