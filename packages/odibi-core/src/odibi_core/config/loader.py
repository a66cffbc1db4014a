"""Load a project: parse, merge imports, overlay an environment, resolve references, validate.

``odibi run``, ``validate``, ``graph``, ``doctor`` and ``secrets`` all use exactly this loader.
Loading happens in two phases because the YAML ``plugins:`` section decides which plugins may
load, and plugins provide secret providers and config models:

1. :func:`read_project_source` - YAML + imports + environment overlay, nothing resolved.
2. :func:`build_project` - references resolved through the provider chain (secrets registered for
   redaction), pydantic validation, then each plugin section checked by its plugin's model.
"""

from __future__ import annotations

import copy
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ValidationError

from odibi_core.config.errors import raise_validation_error
from odibi_core.config.locations import KeyPath, Location, LocationMap, format_path
from odibi_core.config.models import ProjectConfig
from odibi_core.config.references import Lookup, Reference, find_references, resolve_references
from odibi_core.config.suggestions import did_you_mean
from odibi_core.config.yaml_source import load_yaml_file
from odibi_core.errors import ConfigError, SecretMissingError
from odibi_core.plugins.options import NoOptions

if TYPE_CHECKING:
    from odibi_core.plugins.loader import PluginSettings
    from odibi_core.plugins.manager import OdibiPluginManager

DEFAULT_PROJECT_FILE = "odibi.yaml"


@dataclass
class ProjectSource:
    """A project as parsed, before references are resolved.

    Attributes:
        path: The root project file.
        data: Merged data (imports merged, environment overlaid), references unresolved.
        locations: File and line of every key path.
        files: Every file read (root first).
        environment: The environment overlaid, if any.
        environments_data: The unmerged ``environments:`` section (for ``secrets init``).
    """

    path: Path
    data: dict[str, Any]
    locations: LocationMap
    files: list[str]
    environment: str | None = None
    environments_data: dict[str, Any] = field(default_factory=dict)

    @property
    def project_dir(self) -> Path:
        """Folder of the root project file: relative paths resolve against it."""
        return self.path.parent

    def references(self, *, all_environments: bool = False) -> list[Reference]:
        """References in the effective document (and in every environment if asked)."""
        refs = find_references({k: v for k, v in self.data.items() if k != "environments"}, self.locations)
        if all_environments:
            refs += find_references({"environments": self.environments_data}, self.locations)
        return refs

    def plugin_settings(self, base: PluginSettings | None = None) -> PluginSettings:
        """Allow/deny/autoload switches from the environment combined with YAML ``plugins:``."""
        from odibi_core.plugins.loader import PluginSettings

        base = base or PluginSettings.from_env()
        section = self.data.get("plugins") or {}
        if not isinstance(section, dict):
            return base
        return base.merged_with(
            autoload=section.get("autoload") if isinstance(section.get("autoload"), bool) else None,
            allow=section.get("allow") if isinstance(section.get("allow"), list) else None,
            deny=section.get("deny") if isinstance(section.get("deny"), list) else [],
        )


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
    """Resolve a CLI ``PROJECT`` argument: a file, a folder holding ``odibi.yaml``, or the cwd."""
    candidate = Path(path) if path else Path.cwd()
    if candidate.is_dir():
        candidate = candidate / DEFAULT_PROJECT_FILE
    if not candidate.exists():
        raise ConfigError(
            f"project file {candidate} does not exist",
            hint="Pass the project file (or its folder); `odibi init` scaffolds a new project.",
        )
    return candidate


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def read_project_source(path: str | os.PathLike[str] | None, *, environment: str | None = None) -> ProjectSource:
    """Phase 1: parse the project file, merge ``imports`` and overlay ``environments.<env>``."""
    root = find_project_file(path)
    files: list[str] = []
    locations = LocationMap()
    data = _load_with_imports(root.resolve(), locations, files, stack=())
    environments = data.get("environments") or {}
    if not isinstance(environments, dict):
        raise ConfigError(f"{locations.find(('environments',))}: environments must be a mapping")
    if environment is not None:
        if environment not in environments:
            raise ConfigError(
                f"unknown environment {environment!r}{did_you_mean(environment, environments)}; "
                f"defined: {', '.join(sorted(environments)) or 'none'}",
                hint="Environments are defined under `environments:` in the project file.",
            )
        overlay = environments[environment] or {}
        if not isinstance(overlay, dict):
            raise ConfigError(f"{locations.find(('environments', environment))}: environment must be a mapping")
        _deep_merge(data, copy.deepcopy(overlay), locations, (), ("environments", environment))
    return ProjectSource(root, data, locations, files, environment, environments)


def _load_with_imports(path: Path, locations: LocationMap, files: list[str], stack: tuple[Path, ...]) -> dict[str, Any]:
    if path in stack:
        chain = " -> ".join(_display(p) for p in (*stack, path))
        raise ConfigError(f"import cycle: {chain}")
    data, own_locations = load_yaml_file(path, display=_display(path))
    files.append(_display(path))
    if not isinstance(data, dict):
        raise ConfigError(f"{_display(path)}:1: a project file must be a mapping of keys")
    imports = data.get("imports") or []
    if not isinstance(imports, list):
        raise ConfigError(f"{own_locations.find(('imports',))}: imports must be a list of file paths")
    merged: dict[str, Any] = {}
    for i, item in enumerate(imports):
        target = (path.parent / str(item)).resolve()
        if not target.exists():
            raise ConfigError(f"{own_locations.find(('imports', i))}: imported file {item} does not exist")
        imported = _load_with_imports(target, locations, files, (*stack, path))
        imported.pop("imports", None)
        _deep_merge(merged, imported, None, (), ())
    own_locations_copy = LocationMap(own_locations.entries)
    _deep_merge(merged, data, locations, (), ())
    locations.overlay(own_locations_copy)
    return merged


def _deep_merge(base: dict[str, Any], top: dict[str, Any], locations: LocationMap | None,
                path: KeyPath, source: KeyPath) -> None:
    """Merge ``top`` into ``base``: mappings merge, anything else (lists too) replaces."""
    for key, value in top.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            _deep_merge(base[key], value, locations, (*path, key), (*source, key))
            continue
        base[key] = value
        if locations is not None and source:
            locations.drop((*path, key))
            locations.overlay(locations, (*source, key), (*path, key))


def build_project(source: ProjectSource, pm: OdibiPluginManager | None = None) -> LoadedProject:
    """Phase 2: resolve references, validate the models and every plugin section.

    Every resolved ``${secret:}`` value, every referenced environment variable named like a
    secret, every value under a sensitive key and every credential embedded in a value is
    registered for redaction before anything is validated or printed. Unresolved references
    are reported (names and locations, never values) before validation, so a missing variable is
    never disguised as a type error.
    """
    from odibi_core.config.resolver import ReferenceResolver
    from odibi_core.redaction import register_config_values

    resolver = ReferenceResolver(source, pm)
    missing: list[tuple[str, str, KeyPath]] = []

    def on_resolved(kind: str, name: str, value: str, path: KeyPath) -> None:
        resolver.register(kind, name, value)

    environments = source.data.get("environments")
    body = {k: v for k, v in source.data.items() if k != "environments"}
    resolved = resolve_references(body, resolver.lookup, lambda k, n, p: missing.append((k, n, p)), on_resolved)
    register_config_values(resolved)
    if missing:
        lines = []
        for kind, name, path in missing:
            ref = f"${{{kind}:{name}}}"
            lines.append(f"{source.locations.find(path)}: {format_path(path)}: {ref} is not set")
        providers_text = ", ".join(resolver.provider_names)
        raise SecretMissingError(
            "unresolved references:\n  " + "\n  ".join(lines),
            hint=f"Set the variables (secret providers tried: {providers_text}); "
            "`odibi secrets validate` lists them, `odibi secrets init` writes a template.",
        )
    if environments is not None:
        resolved["environments"] = environments
    try:
        config = ProjectConfig.model_validate(resolved)
    except ValidationError as exc:
        raise_validation_error(exc, resolved, source.locations, ProjectConfig)
    loaded = LoadedProject(source, config)
    if pm is not None:
        validate_plugin_sections(loaded, pm)
    return loaded


def secret_lookup(source: ProjectSource, pm: OdibiPluginManager | None) -> Lookup:
    """``lookup(kind, name)`` as a run resolves references: ``env`` from the process environment
    then ``.env`` beside the project file; ``secret`` through the configured provider chain."""
    from odibi_core.config.resolver import ReferenceResolver

    return ReferenceResolver(source, pm).lookup


def load_project(path: str | os.PathLike[str] | None, *, environment: str | None = None,
                 pm: OdibiPluginManager | None = None) -> LoadedProject:
    """Load and fully validate a project (both phases). Builds a plugin manager if none is given."""
    from odibi_core.plugins.manager import create_plugin_manager

    source = read_project_source(path, environment=environment)
    pm = pm or create_plugin_manager(source.plugin_settings())
    return build_project(source, pm)


def validate_plugin_sections(project: LoadedProject, pm: OdibiPluginManager) -> None:
    """Check engine, connection and state sections with the models their plugins registered."""
    cfg = project.config
    locs = project.source.locations
    pm.require(cfg.plugins.requires)
    engine = _lookup_or_locate(lambda: pm.engine(cfg.engine), locs, ("engine",))
    project.engine_options = _validate_options(engine.config_model, cfg.engine_options, locs, ("engine_options",))
    connection_specs = {}
    for name, conn in cfg.connections.items():
        spec = _lookup_or_locate(lambda conn=conn: pm.connection(conn.type), locs, ("connections", name, "type"))
        connection_specs[name] = spec
        project.connection_options[name] = _validate_options(
            spec.config_model, conn.plugin_options(), locs, ("connections", name)
        )
    _check_node_references(project)
    from odibi_core.config.capabilities import check_engine_capabilities

    check_engine_capabilities(cfg, engine, locs, connection_specs)
    from odibi_core.config.transformer_checks import check_transformer_steps

    check_transformer_steps(project, pm)
    state = cfg.state
    if state is None:
        if "local" in pm.state_backends():
            project.state_backend = "local"
            project.state_options = (pm.state_backend("local").config_model or NoOptions)()
        return
    spec = _lookup_or_locate(lambda: pm.state_backend(state.backend), locs, ("state", "backend"))
    project.state_backend = state.backend
    project.state_options = _validate_options(spec.config_model, state.plugin_options(), locs, ("state",))


def _lookup_or_locate(fn: Any, locations: LocationMap, path: KeyPath) -> Any:
    from odibi_core.errors import PluginError

    try:
        return fn()
    except PluginError as exc:
        raise type(exc)(f"{locations.find(path)}: {format_path(path)}: {exc.message}", hint=exc.hint) from None


def _validate_options(model: type[BaseModel] | None, options: dict[str, Any], locations: LocationMap,
                      path: KeyPath) -> BaseModel:
    model = model or NoOptions
    try:
        return model.model_validate(options)
    except ValidationError as exc:
        raise_validation_error(exc, options, locations, model, prefix=path)


def _check_node_references(project: LoadedProject) -> None:
    """Every ``connection:`` a node names must exist; report file and line otherwise."""
    cfg = project.config
    for p_index, pipeline in enumerate(cfg.pipelines):
        for n_index, node in enumerate(pipeline.nodes):
            for section in ("read", "write"):
                part = getattr(node, section)
                if part is not None and part.connection not in cfg.connections:
                    path = ("pipelines", p_index, "nodes", n_index, section, "connection")
                    raise ConfigError(
                        f"{project.location(path)}: {format_path(path)}: unknown connection "
                        f"{part.connection!r}{did_you_mean(part.connection, cfg.connections)}; "
                        f"defined: {', '.join(sorted(cfg.connections)) or 'none'}"
                    )
