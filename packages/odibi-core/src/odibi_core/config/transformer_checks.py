"""Validate-time checks of ``- transformer:`` steps and of write targets that must rewrite in place.

* Every transformer step names a registered transformer, and its ``params`` pass the transformer's
  params model; a wrong name or key is reported with the file, line and a suggestion.
* ``mode: upsert`` and transformers with a ``target_capability`` (``scd2``) need a write target
  whose connection type (and format) declares that capability through the
  ``odibi_write_capabilities`` hook, or whose plugin format declares it
  (:attr:`~odibi_core.plugins.types.FormatSpec.target_capabilities`, e.g. ``delta``); plain
  CSV/Parquet/JSON files declare none, so such a project fails here, naming the targets that can.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from pydantic import ValidationError

from odibi_core.config.errors import validation_problems
from odibi_core.config.locations import KeyPath
from odibi_core.config.models import FILE_FORMATS
from odibi_core.config.problems import Problem, located, raise_problems
from odibi_core.config.suggestions import did_you_mean
from odibi_core.config.transformer_step import TransformerStep

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


def transformer_problems(project: LoadedProject, pm: OdibiPluginManager) -> list[Problem]:
    """Every bad transformer step and every write target lacking a capability it needs."""
    config, locations = project.config, project.source.locations
    problems: list[Problem] = []
    steps = list(_transformer_steps(config))
    registry = pm.transformers() if steps else {}  # a project without them imports no library
    targets = _Targets(pm)
    for node, step, node_path, step_path in steps:
        registered = registry.get(step.transformer)
        if registered is None:
            available = ", ".join(sorted(registry)) or "none"
            problems.append(
                located(
                    locations,
                    (*step_path, "transformer"),
                    f"unknown transformer {step.transformer!r}"
                    f"{did_you_mean(step.transformer, registry)}; available: {available}",
                    hint=INSTALL_HINT,
                )
            )
            continue
        spec = registered.spec
        try:
            spec.params_model.model_validate(step.params)
        except ValidationError as exc:
            problems += validation_problems(
                exc, step.params, locations, spec.params_model, prefix=(*step_path, "params")
            )
        if spec.target_capability is not None:
            problems += targets.require(
                config, node, node_path, spec.target_capability, locations,
                f"transformer {spec.name!r}",
            )
    for p_index, pipeline in enumerate(config.pipelines):
        for n_index, node in enumerate(pipeline.nodes):
            write = node.write
            if write is not None and write.mode == "upsert" and not _plugin_format(write.format):
                # a plugin format's modes are checked with its options (config.formats)
                problems += targets.require(
                    config, node, ("pipelines", p_index, "nodes", n_index), "upsert",
                    locations, "write mode 'upsert'",
                )
    return problems


def check_transformer_steps(project: LoadedProject, pm: OdibiPluginManager) -> None:
    """Raise one error listing every :func:`transformer_problems`."""
    raise_problems(transformer_problems(project, pm))


def _plugin_format(fmt: str | None) -> bool:
    return fmt is not None and fmt not in FILE_FORMATS


class _Targets:
    """What write targets can do: declared per connection type, or by a plugin format."""

    def __init__(self, pm: OdibiPluginManager) -> None:
        self.pm = pm
        self._declared: list[WriteCapabilitySpec] | None = None

    @property
    def declared(self) -> list[WriteCapabilitySpec]:
        if self._declared is None:
            self._declared = list(self.pm.write_capabilities())
        return self._declared

    def format_capabilities(self, fmt: str | None) -> frozenset[str] | None:
        """A plugin format's capabilities; ``None`` for the engines' own formats."""
        if not _plugin_format(fmt):
            return None
        registered = self.pm.formats().get(str(fmt))
        if registered is None:
            return frozenset()  # an unknown format is reported by the format checks
        spec = registered.spec
        return spec.target_capabilities | (spec.write_modes & {"upsert", "merge"})

    def able(self, capability: str) -> str:
        names = [
            d.connection_type
            + (f" with format {'/'.join(sorted(d.formats))}" if d.formats else "")
            for d in self.declared
            if capability in d.capabilities
        ]
        names += [
            f"format {name} (any file connection)"
            for name in sorted(self.pm.formats())
            if capability in (self.format_capabilities(name) or ())
        ]
        return "; ".join(names) or "none is installed"

    def require(
        self,
        config: ProjectConfig,
        node: NodeConfig,
        node_path: KeyPath,
        capability: str,
        locations: LocationMap,
        what: str,
    ) -> list[Problem]:
        write = node.write
        if write is None:
            return [
                located(
                    locations, node_path,
                    f"node {node.name!r} uses {what}, which rewrites the node's write target: "
                    "add write:",
                )
            ]
        connection = config.connections.get(write.connection)
        if connection is None:
            return []  # reported by the connection reference check
        own = self.format_capabilities(write.format)
        if own is not None and capability in own:
            return []
        if own is None and any(
            capability in d.capabilities
            and d.connection_type == connection.type
            and (not d.formats or write.format in d.formats)
            for d in self.declared
        ):
            return []
        target = f"type {connection.type}" + (f", format {write.format}" if write.format else "")
        return [
            located(
                locations, (*node_path, "write"),
                f"node {node.name!r} uses {what}, but its write target (connection "
                f"{write.connection!r}, {target}) cannot do {capability!r}; targets that can: "
                f"{self.able(capability)}",
                hint="Write to one of the targets named above (e.g. a Delta table or a postgres "
                "table)" + (", or use mode overwrite." if capability == "upsert" else "."),
            )
        ]
