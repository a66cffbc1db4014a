"""Load a project: parse, merge imports, overlay an environment, resolve references, validate.

``odibi run``, ``validate``, ``graph``, ``doctor`` and ``secrets`` all use exactly this loader.
Loading happens in two phases because the YAML ``plugins:`` section decides which plugins may
load, and plugins provide secret providers and config models:

1. :func:`read_project_source` - YAML + imports + environment overlay, nothing resolved.
2. :func:`build_project` - references resolved through the provider chain (secrets registered for
   redaction), pydantic validation, graph checks, then each plugin section checked by its
   plugin's model.

Neither phase stops at the first mistake it can step over: problems are collected and raised as
one error listing each at its file and line (see :mod:`odibi_core.config.problems`).
"""

from __future__ import annotations

import copy
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ValidationError

from odibi_core.config.errors import validation_problems
from odibi_core.config.imports import ImportLoader
from odibi_core.config.locations import KeyPath, Location, LocationMap
from odibi_core.config.models import ProjectConfig
from odibi_core.config.problems import Problem, fail, located, raise_problems
from odibi_core.config.project_checks import check_project_graph
from odibi_core.config.references import (
    Lookup,
    reference_problems,
    resolve_references,
)
from odibi_core.config.source import ProjectSource
from odibi_core.config.suggestions import did_you_mean
from odibi_core.errors import ConfigError, PluginError, SecretMissingError

if TYPE_CHECKING:
    from odibi_core.plugins.manager import OdibiPluginManager

DEFAULT_PROJECT_FILE = "odibi.yaml"


@dataclass
class LoadedProject:
    """A validated project, ready to plan and run.

    Attributes:
        source: What was parsed.
        config: The validated project model (references resolved).
        engine_options: ``engine_options`` validated by the engine's model.
        connection_options: Each connection's options validated by its type's model.
        state_options: ``state:`` plugin keys validated by the backend's model (``None``: no state).
        state_backend: Backend name in effect (``None`` when no state backend is installed).
    """

    source: ProjectSource
    config: ProjectConfig
    engine_options: BaseModel | None = None
    connection_options: dict[str, BaseModel] = field(default_factory=dict)
    state_options: BaseModel | None = None
    state_backend: str | None = None

    @property
    def project_dir(self) -> Path:
        """Folder of the root project file."""
        return self.source.project_dir

    def location(self, path: KeyPath) -> Location | None:
        """Where ``path`` was defined."""
        return self.source.locations.find(path)


def find_project_file(path: str | os.PathLike[str] | None) -> Path:
    """Resolve a CLI ``PROJECT`` argument: a file, a folder holding ``odibi.yaml``, or (no
    argument) the nearest ``odibi.yaml`` in the working directory or a parent folder.

    The search upwards stops at the root of a repository (a folder holding ``.git``) or of the
    file system, as git and dbt do; an explicit folder is never searched above.
    """
    if not path:
        return search_project_file(Path.cwd())
    candidate = Path(path)
    if candidate.is_dir():
        candidate = candidate / DEFAULT_PROJECT_FILE
    if not candidate.exists():
        raise ConfigError(
            f"project file {candidate} does not exist",
            hint="Pass the project file (or its folder); `odibi init` scaffolds a new project.",
        )
    return candidate


def search_project_file(start: Path) -> Path:
    """The nearest ``odibi.yaml`` in ``start`` or above it, up to a repository or file-system root.

    The path is returned as ``start`` spells it (relative paths stay relative), so messages keep
    the form the user knows.
    """
    here = start.resolve()
    for parent in (here, *here.parents):
        candidate = parent / DEFAULT_PROJECT_FILE
        if candidate.is_file():
            return candidate if parent != here else start / DEFAULT_PROJECT_FILE
        if (parent / ".git").exists():
            break
    raise ConfigError(
        f"no {DEFAULT_PROJECT_FILE} in {start} or any parent folder"
        + (f" up to the repository root {parent}" if parent != Path(parent.anchor) else ""),
        hint="Pass the project file (or its folder); `odibi init` scaffolds a new project.",
    )


def read_project_source(
    path: str | os.PathLike[str] | None,
    *,
    environment: str | None = None,
    defer_problems: bool = False,
) -> ProjectSource:
    """Phase 1: parse the project file, merge ``imports`` and overlay ``environments.<env>``.

    Problems that leave the document usable (duplicate keys, tags, missing imports, duplicate
    connections, original-Odibi expressions) are raised here, all at once, unless
    ``defer_problems`` is set: then they wait in ``ProjectSource.problems`` and
    :func:`build_project` reports them together with its own.
    """
    root = find_project_file(path)
    importer = ImportLoader()
    data = importer.load(root.resolve())
    locations = importer.locations
    files = importer.files
    problems = [*importer.problems, *reference_problems(data, locations)]
    environments = data.get("environments") or {}
    if not isinstance(environments, dict):
        raise ConfigError(f"{locations.find(('environments',))}: environments must be a mapping")
    if environment is not None:
        if environment not in environments:
            raise ConfigError(
                f"unknown environment {environment!r}{did_you_mean(environment, environments)}; "
                f"defined: {', '.join(sorted(map(str, environments))) or 'none'}",
                hint="Environments are defined under `environments:` in the project file.",
            )
        overlay = environments[environment] or {}
        if not isinstance(overlay, dict):
            raise ConfigError(
                f"{locations.find(('environments', environment))}: environment must be a mapping"
            )
        _deep_merge(data, copy.deepcopy(overlay), locations, (), ("environments", environment))
    source = ProjectSource(root, data, locations, files, environment, environments, problems)
    if problems and not defer_problems:
        fail(problems, files)
    return source


def _deep_merge(
    base: dict[str, Any],
    top: dict[str, Any],
    locations: LocationMap | None,
    path: KeyPath,
    source: KeyPath,
) -> None:
    """Overlay an environment: mappings merge, anything else (lists too) replaces."""
    for key, value in top.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            _deep_merge(base[key], value, locations, (*path, key), (*source, key))
            continue
        base[key] = value
        if locations is not None and source:
            locations.drop((*path, key))
            locations.overlay(locations, (*source, key), (*path, key))


@dataclass
class ProjectCheck:
    """Everything :func:`check_project` found.

    Attributes:
        source: What was parsed.
        resolved: The document with references resolved (what the models validated).
        project: The validated project, or ``None`` when the models refused it.
        problems: Every problem found, unsorted.
    """

    source: ProjectSource
    resolved: dict[str, Any]
    project: LoadedProject | None
    problems: list[Problem]


def check_project(source: ProjectSource, pm: OdibiPluginManager | None = None) -> ProjectCheck:
    """Phase 2 without stopping: resolve references, validate models, graph and plugin sections.

    Every resolved ``${secret:}`` value, every referenced environment variable named like a
    secret, every value under a sensitive key and every credential embedded in a value is
    registered for redaction before anything is validated or printed. An unresolved reference is
    reported by name and location (never a value), and no type error is reported for the key
    that holds it.
    """
    from odibi_core.config.resolver import ReferenceResolver
    from odibi_core.redaction import register_config_values

    problems = list(source.problems)
    locations = source.locations
    try:
        resolver = ReferenceResolver(source, pm)
    except PluginError as exc:
        problems.append(
            located(
                locations, ("secrets", "providers"), exc.message, error=type(exc), hint=exc.hint
            )
        )
        fail(problems, source.files)
    missing: list[tuple[str, str, KeyPath]] = []

    def on_resolved(kind: str, name: str, value: str, path: KeyPath) -> None:
        resolver.register(kind, name, value)

    environments = source.data.get("environments")
    body = {k: v for k, v in source.data.items() if k != "environments"}
    resolved = resolve_references(
        body, resolver.lookup, lambda k, n, p: missing.append((k, n, p)), on_resolved
    )
    register_config_values(resolved)
    hint = (
        f"Set the variables (secret providers tried: {', '.join(resolver.provider_names)}); "
        "`odibi secrets validate` lists them, `odibi secrets init` writes a template."
    )
    for kind, name, path in missing:
        problems.append(
            located(
                locations,
                path,
                f"${{{kind}:{name}}} is not set",
                error=SecretMissingError,
                hint=hint,
            )
        )
    unresolved = {path for _, _, path in missing}
    if environments is not None:
        resolved["environments"] = environments
    config: ProjectConfig | None = None
    try:
        config = ProjectConfig.model_validate(resolved)
    except ValidationError as exc:
        problems += [
            p
            for p in validation_problems(exc, resolved, locations, ProjectConfig)
            if not any(p.path[: len(u)] == u for u in unresolved)
        ]
    problems += check_project_graph(resolved, locations)
    project = LoadedProject(source, config) if config is not None else None
    if pm is not None:
        from odibi_core.config.plugin_sections import plugin_section_problems

        problems += plugin_section_problems(resolved, locations, pm, project)
        if project is not None:
            from odibi_core.config.file_paths import file_path_problems

            problems += [
                located(locations, p.key, p.message, error=p.error, hint=p.hint)
                for p in file_path_problems(project, pm)
            ]
    return ProjectCheck(source, resolved, project, problems)


def build_project(source: ProjectSource, pm: OdibiPluginManager | None = None) -> LoadedProject:
    """Phase 2: resolve references, validate the models, the graph and every plugin section.

    Raises one error listing every problem (see :func:`check_project`), sorted by file and line.
    """
    checked = check_project(source, pm)
    raise_problems(checked.problems, source.files)
    assert checked.project is not None  # no problem means the models validated
    _apply_mask(checked.project.config.secrets.mask)
    return checked.project


def _apply_mask(project_mask: str | None) -> None:
    """Make ``secrets.mask`` the process-wide mask (unless ``ODIBI_REDACTION_MASK`` is set)."""
    from odibi_core.redaction.mask import apply_mask

    try:
        apply_mask(project_mask)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None


def secret_lookup(source: ProjectSource, pm: OdibiPluginManager | None) -> Lookup:
    """``lookup(kind, name)`` as a run resolves references: ``env`` from the process environment
    then ``.env`` beside the project file; ``secret`` through the configured provider chain."""
    from odibi_core.config.resolver import ReferenceResolver

    return ReferenceResolver(source, pm).lookup


def load_project(
    path: str | os.PathLike[str] | None,
    *,
    environment: str | None = None,
    pm: OdibiPluginManager | None = None,
) -> LoadedProject:
    """Load and fully validate a project (both phases). Builds a plugin manager if none is given."""
    from odibi_core.plugins.manager import create_plugin_manager

    source = read_project_source(path, environment=environment, defer_problems=True)
    pm = pm or create_plugin_manager(source.plugin_settings())
    return build_project(source, pm)
