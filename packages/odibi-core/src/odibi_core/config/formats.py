"""Load-time checks of ``format:`` values that plugins provide (``delta`` ...).

``csv``, ``parquet`` and ``json`` belong to the engines. Any other ``read.format`` or
``write.format`` must be registered by an installed plugin
(:func:`~odibi_core.plugins.hookspecs.OdibiHookSpecs.odibi_formats`); its ``options`` are
checked by the format's read or write options model, its ``mode`` by the modes it supports, and
the run's engine must be able to use it: through the engine's own implementation
(``engine_paths``, which may refuse with what to install) or through Arrow. Every error names
file, line and key path, like every other config error.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from odibi_core.config.locations import KeyPath, format_path
from odibi_core.config.models import FILE_FORMATS
from odibi_core.errors import ConfigError

if TYPE_CHECKING:
    from odibi_core.config.loader import LoadedProject
    from odibi_core.plugins.manager import OdibiPluginManager
    from odibi_core.plugins.types import EngineSpec, FormatSpec


def check_formats(project: LoadedProject, pm: OdibiPluginManager, engine: EngineSpec) -> None:
    """Raise :class:`ConfigError` (or ``PluginError``) at the first unusable format section."""
    cfg = project.config
    for p_index, pipeline in enumerate(cfg.pipelines):
        for n_index, node in enumerate(pipeline.nodes):
            for section in ("read", "write"):
                part = getattr(node, section)
                if part is None or part.format is None or part.format in FILE_FORMATS:
                    if (
                        part is not None
                        and section == "write"
                        and part.path
                        and part.mode == "merge"
                    ):
                        path = ("pipelines", p_index, "nodes", n_index, "write", "mode")
                        raise ConfigError(
                            f"{project.location(path)}: {format_path(path)}: mode merge needs a "
                            f"table format (e.g. format: delta); {part.format} files cannot merge"
                        )
                    continue
                prefix: KeyPath = ("pipelines", p_index, "nodes", n_index, section)
                spec = _lookup(project, pm, part.format, (*prefix, "format"))
                context = {"mode": part.mode, "keys": list(part.keys)} if section == "write" else {}
                _check_options(project, spec, section, part.options, (*prefix, "options"), context)
                if section == "write" and part.mode not in spec.write_modes:
                    path = (*prefix, "mode")
                    raise ConfigError(
                        f"{project.location(path)}: {format_path(path)}: format {spec.name!r} "
                        f"does not support mode {part.mode!r}; it supports: "
                        f"{', '.join(sorted(spec.write_modes))}"
                    )
                _check_engine(project, spec, engine, (*prefix, "format"), node.name)


def _lookup(project: LoadedProject, pm: OdibiPluginManager, name: str, path: KeyPath) -> FormatSpec:
    from odibi_core.errors import PluginError

    if name not in pm.formats():
        from odibi_core.config.suggestions import did_you_mean

        known = [*FILE_FORMATS, *sorted(pm.formats())]
        raise PluginError(
            f"{project.location(path)}: {format_path(path)}: unknown format {name!r}"
            f"{did_you_mean(name, known)}; available: {', '.join(known)}",
            hint="Install the plugin that provides it "
            "(format delta: pip install odibi-format-delta).",
        )
    return pm.format(name)


def _check_options(
    project: LoadedProject,
    spec: FormatSpec,
    section: str,
    options: dict[str, Any],
    path: KeyPath,
    context: dict[str, Any],
) -> None:
    from pydantic import ValidationError

    from odibi_core.config.errors import raise_validation_error
    from odibi_core.plugins.options import NoOptions

    model = (spec.read_options if section == "read" else spec.write_options) or NoOptions
    try:
        model.model_validate(options, context=context)
    except ValidationError as exc:
        raise_validation_error(exc, options, project.source.locations, model, prefix=path)


def _check_engine(
    project: LoadedProject, spec: FormatSpec, engine: EngineSpec, path: KeyPath, node: str
) -> None:
    native = spec.engine_paths.get(engine.name)
    if native is not None:
        problem = native().problem(project.engine_options)
        if problem:
            raise ConfigError(
                f"{project.location(path)}: {format_path(path)}: node {node!r}: engine "
                f"{engine.name!r} cannot use format {spec.name!r}: {problem}",
                hint=f"Configure the engine for {spec.name}, or choose engine: duckdb or pandas.",
            )
        return
    if "arrow" not in engine.capabilities:
        raise ConfigError(
            f"{project.location(path)}: {format_path(path)}: node {node!r}: format {spec.name!r} "
            f"moves data as Arrow, which engine {engine.name!r} cannot take",
            hint="Choose an engine with the arrow capability (duckdb, pandas, spark).",
        )
