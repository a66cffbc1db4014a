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
from odibi_core.config.problems import Problem, from_error, raise_problems
from odibi_core.errors import ConfigError, OdibiError

if TYPE_CHECKING:
    from odibi_core.config.loader import LoadedProject
    from odibi_core.plugins.manager import OdibiPluginManager
    from odibi_core.plugins.types import EngineSpec, FormatSpec


def format_problems(
    project: LoadedProject, pm: OdibiPluginManager, engine: EngineSpec
) -> list[Problem]:
    """One problem per unusable ``read``/``write`` format section (each at its file and line)."""
    problems: list[Problem] = []
    for p_index, pipeline in enumerate(project.config.pipelines):
        for n_index, node in enumerate(pipeline.nodes):
            for section in ("read", "write"):
                part = getattr(node, section)
                if part is not None:
                    prefix: KeyPath = ("pipelines", p_index, "nodes", n_index, section)
                    try:
                        _check_section(project, pm, engine, node.name, section, part, prefix)
                    except OdibiError as exc:
                        problems.append(from_error(exc))
    return problems


def check_formats(project: LoadedProject, pm: OdibiPluginManager, engine: EngineSpec) -> None:
    """Raise one error listing every :func:`format_problems`."""
    raise_problems(format_problems(project, pm, engine))


def _where(project: LoadedProject, path: KeyPath) -> str:
    return f"{project.location(path)}: {format_path(path)}"


def _check_section(
    project: LoadedProject,
    pm: OdibiPluginManager,
    engine: EngineSpec,
    node: str,
    section: str,
    part: Any,
    prefix: KeyPath,
) -> None:
    writes = section == "write"
    if part.format is None or part.format in FILE_FORMATS:
        if writes and part.path and part.mode == "merge":
            raise ConfigError(
                f"{_where(project, (*prefix, 'mode'))}: mode merge needs a table format "
                f"(e.g. format: delta); {part.format} files cannot merge"
            )
        return
    spec = _lookup(project, pm, part.format, (*prefix, "format"))
    context = {"mode": part.mode, "keys": list(part.keys)} if writes else {}
    _check_options(project, spec, section, part.options, (*prefix, "options"), context)
    if writes and part.mode not in spec.write_modes:
        raise ConfigError(
            f"{_where(project, (*prefix, 'mode'))}: format {spec.name!r} does not support mode "
            f"{part.mode!r}; it supports: {', '.join(sorted(spec.write_modes))}"
        )
    _check_engine(project, spec, engine, (*prefix, "format"), node)


def _lookup(project: LoadedProject, pm: OdibiPluginManager, name: str, path: KeyPath) -> FormatSpec:
    from odibi_core.errors import PluginError

    if name not in pm.formats():
        from odibi_core.config.suggestions import did_you_mean

        known = [*FILE_FORMATS, *sorted(pm.formats())]
        raise PluginError(
            f"{_where(project, path)}: unknown format {name!r}"
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
                f"{_where(project, path)}: node {node!r}: engine "
                f"{engine.name!r} cannot use format {spec.name!r}: {problem}",
                hint=f"Configure the engine for {spec.name}, or choose engine: duckdb or pandas.",
            )
        return
    if "arrow" not in engine.capabilities:
        raise ConfigError(
            f"{_where(project, path)}: node {node!r}: format {spec.name!r} "
            f"moves data as Arrow, which engine {engine.name!r} cannot take",
            hint="Choose an engine with the arrow capability (duckdb, pandas, spark).",
        )
