"""The plugin manager facade and its factory.

:func:`create_plugin_manager` builds a fresh manager (never at import time): hookspecs, the
kernel's builtin plugins (through the same hooks as everyone else), then the entry points the
switches allow, each under a guard, then ``check_pending``. :class:`OdibiPluginManager` has one
typed method per hook so the rest of the kernel never calls ``pm.hook.x(...)`` with loose kwargs.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import pluggy

from odibi_core.errors import PluginConflictError, PluginError
from odibi_core.logs import HOOK_LOGGER
from odibi_core.plugins.hook_trace import hook_trace_writer
from odibi_core.redaction.shorten import clip
from odibi_core.plugins.hookspecs import PROJECT_NAME, OdibiHookSpecs
from odibi_core.plugins.loader import (
    BUILTIN_DISTRIBUTION,
    STATUS_ACTIVE,
    STATUS_FAILED,
    PluginInfo,
    PluginSettings,
    discover_entry_points,
    distribution_version,
    normalize_dist,
)
from odibi_core.plugins.types import (
    CliCommandSpec,
    ConnectionSpec,
    DoctorCheck,
    EngineSpec,
    FormatSpec,
    SecretProviderSpec,
    StateBackendSpec,
    TransformerSpec,
    TransformSpec,
    WriteCapabilitySpec,
)

logger = logging.getLogger("odibi.plugins")

SpecT = TypeVar("SpecT")

#: Component kinds and the registration hook that provides them.
REGISTRATION_HOOKS = {
    "engine": "odibi_engines",
    "connection": "odibi_connections",
    "format": "odibi_formats",
    "state backend": "odibi_state_backends",
    "secret provider": "odibi_secret_providers",
    "transform": "odibi_transforms",
    "transformer": "odibi_transformers",
    "write capability": "odibi_write_capabilities",
    "cli command": "odibi_cli_commands",
}

#: The record type each kind's registration hook must return a list of.
SPEC_TYPES: dict[str, type] = {
    "engine": EngineSpec,
    "connection": ConnectionSpec,
    "format": FormatSpec,
    "state backend": StateBackendSpec,
    "secret provider": SecretProviderSpec,
    "transform": TransformSpec,
    "transformer": TransformerSpec,
    "write capability": WriteCapabilitySpec,
    "cli command": CliCommandSpec,
}


@dataclass(frozen=True)
class Registered(Generic[SpecT]):
    """A registration record together with the plugin and distribution that provided it."""

    spec: SpecT
    plugin: str
    distribution: str


class OdibiPluginManager:
    """Typed facade over a ``pluggy.PluginManager`` with Odibi's hookspecs."""

    def __init__(self, pm: pluggy.PluginManager, plugins: list[PluginInfo]) -> None:
        self.pm = pm
        self.plugins = plugins
        self._registries: dict[str, dict[str, Registered[Any]]] = {}

    # --- registration -------------------------------------------------------------------

    def _registry(self, kind: str) -> dict[str, Registered[Any]]:
        if kind not in self._registries:
            self._registries[kind] = self._collect(kind, REGISTRATION_HOOKS[kind])
        return self._registries[kind]

    def _collect(self, kind: str, hook_name: str) -> dict[str, Registered[Any]]:
        by_plugin = {info.name: info for info in self.plugins}
        registry: dict[str, Registered[Any]] = {}
        caller = getattr(self.pm.hook, hook_name)
        # oldest registration first, so builtins are seen before plugins that might shadow them
        for impl in caller.get_hookimpls():  # pluggy lists the oldest registration first
            info = by_plugin.get(impl.plugin_name)
            dist = info.distribution if info else impl.plugin_name
            specs, problem = _call_registration(impl.function, hook_name, SPEC_TYPES[kind])
            if problem is not None:
                if info is None or info.distribution == BUILTIN_DISTRIBUTION:
                    raise PluginError(f"plugin {impl.plugin_name} ({dist}): {problem}")
                # a broken plugin contributes nothing and is reported; unrelated runs go on
                info.status, info.reason = STATUS_FAILED, problem
                logger.warning("plugin %s (%s) failed: %s", impl.plugin_name, dist, problem)
                self._drop(impl.plugin_name)
                continue
            for spec in specs:
                name = spec.name
                if name in registry:
                    other = registry[name]
                    raise PluginConflictError(
                        f"{kind} {name!r} is registered twice: by {other.distribution} "
                        f"(plugin {other.plugin}) and by {dist} (plugin {impl.plugin_name})",
                        hint=f"Uninstall one of them, or block one with ODIBI_DISABLE_PLUGINS={dist}.",
                    )
                registry[name] = Registered(spec, impl.plugin_name, dist)
        return registry

    def _drop(self, plugin: str) -> None:
        """Take a failed plugin out: none of its hooks runs again (lifecycle wrappers included)
        and nothing it registered through other hooks stays usable."""
        if self.pm.get_plugin(plugin) is not None:
            self.pm.unregister(name=plugin)
        for registry in self._registries.values():
            for name in [n for n, r in registry.items() if r.plugin == plugin]:
                del registry[name]

    def _lookup(self, kind: str, name: str) -> Registered[Any]:
        registry = self._registry(kind)
        if name in registry:
            return registry[name]
        from odibi_core.config.suggestions import did_you_mean

        failed = [p for p in self.plugins if p.status != STATUS_ACTIVE]
        notes = "".join(
            f"; plugin {p.name} ({p.distribution}) is {p.status}: {p.reason}" for p in failed
        )
        raise PluginError(
            f"unknown {kind} {name!r}{did_you_mean(name, registry)}; "
            f"available: {', '.join(sorted(registry)) or 'none'}{notes}",
            hint="Install the plugin that provides it (see `odibi plugins list --all`).",
        )

    def check_conflicts(self) -> None:
        """Collect every registry now so duplicate names fail early (``validate``, ``plugins``)."""
        for kind in REGISTRATION_HOOKS:
            self._registry(kind)

    def engines(self) -> dict[str, Registered[EngineSpec]]:
        """Every registered engine by YAML name."""
        return self._registry("engine")

    def engine(self, name: str) -> EngineSpec:
        """The engine ``name``; a clear error naming failed plugins if unknown."""
        return self._lookup("engine", name).spec  # type: ignore[no-any-return]

    def connections(self) -> dict[str, Registered[ConnectionSpec]]:
        """Every registered connection type by YAML name."""
        return self._registry("connection")

    def connection(self, name: str) -> ConnectionSpec:
        """The connection type ``name``."""
        return self._lookup("connection", name).spec  # type: ignore[no-any-return]

    def formats(self) -> dict[str, Registered[FormatSpec]]:
        """Every plugin table format by YAML name (not csv/parquet/json: those are the engines')."""
        return self._registry("format")

    def format(self, name: str) -> FormatSpec:
        """The table format ``name``."""
        return self._lookup("format", name).spec  # type: ignore[no-any-return]

    def state_backends(self) -> dict[str, Registered[StateBackendSpec]]:
        """Every registered state backend by YAML name."""
        return self._registry("state backend")

    def state_backend(self, name: str) -> StateBackendSpec:
        """The state backend ``name``."""
        return self._lookup("state backend", name).spec  # type: ignore[no-any-return]

    def secret_providers(self) -> dict[str, Registered[SecretProviderSpec]]:
        """Every registered secret provider by YAML name."""
        return self._registry("secret provider")

    def secret_provider(self, name: str) -> SecretProviderSpec:
        """The secret provider ``name``."""
        return self._lookup("secret provider", name).spec  # type: ignore[no-any-return]

    def transforms(self) -> dict[str, Registered[TransformSpec]]:
        """Every transform registered by plugins (project ``transforms.py`` come on top)."""
        return self._registry("transform")

    def transformers(self) -> dict[str, Registered[TransformerSpec]]:
        """Every registered transformer (``- transformer: NAME`` steps) by name."""
        return self._registry("transformer")

    def transformer(self, name: str) -> TransformerSpec:
        """The transformer ``name``; a clear error with a suggestion if unknown."""
        return self._lookup("transformer", name).spec  # type: ignore[no-any-return]

    def write_capabilities(self) -> list[WriteCapabilitySpec]:
        """Every declaration of what a connection type (and format) supports as a write target."""
        return [r.spec for r in self._registry("write capability").values()]

    def cli_commands(self) -> dict[str, Registered[CliCommandSpec]]:
        """Every plugin-contributed CLI sub-app by name."""
        return self._registry("cli command")

    def doctor_checks(self) -> list[DoctorCheck]:
        """Lines plugins contribute to ``odibi doctor`` (a raising plugin becomes a failed line)."""
        checks: list[DoctorCheck] = []
        for impl in reversed(self.pm.hook.odibi_doctor_checks.get_hookimpls()):
            try:
                checks.extend(impl.function() or [])
            except KeyboardInterrupt:
                raise
            except BaseException as exc:  # SystemExit included
                checks.append(DoctorCheck("plugins", impl.plugin_name, False, f"{type(exc).__name__}: {exc}"))
        return checks

    # --- lifecycle ----------------------------------------------------------------------

    def run_pipeline(self, context: Any) -> Any:
        """Call ``odibi_run_pipeline`` (wrappers around the kernel's implementation)."""
        return self.pm.hook.odibi_run_pipeline(context=context)

    def run_node(self, context: Any) -> Any:
        """Call ``odibi_run_node`` (wrappers around the kernel's implementation)."""
        return self.pm.hook.odibi_run_node(context=context)

    # --- introspection ------------------------------------------------------------------

    def hooks_of(self, plugin: object) -> list[str]:
        """Names of the hooks ``plugin`` implements."""
        callers = self.pm.get_hookcallers(plugin) or []
        return sorted(c.name for c in callers)

    def require(self, requirements: Iterable[str]) -> None:
        """Fail fast unless every ``requires:`` entry (``dist>=x``) is installed and active."""
        from packaging.requirements import InvalidRequirement, Requirement

        for text in requirements:
            try:
                req = Requirement(text)
            except InvalidRequirement as exc:
                raise PluginError(f"plugins.requires entry {text!r} is not a requirement: {exc}") from None
            dist = normalize_dist(req.name)
            version = distribution_version(dist)
            if version is None:
                raise PluginError(
                    f"plugins.requires needs {text!r}, but {dist} is not installed",
                    hint=f"pip install '{text}'",
                )
            if req.specifier and not req.specifier.contains(version, prereleases=True):
                raise PluginError(f"plugins.requires needs {text!r}, but {dist} {version} is installed")
            info = next((p for p in self.plugins if p.distribution == dist), None)
            if info is not None and info.status != STATUS_ACTIVE:
                raise PluginError(f"plugins.requires needs {dist}, but its plugin is {info.status}: {info.reason}")


def create_plugin_manager(
    settings: PluginSettings | None = None,
    *,
    extra_plugins: Iterable[tuple[str, object]] = (),
    load_entry_points: bool = True,
) -> OdibiPluginManager:
    """Build a fresh, fully loaded plugin manager.

    Args:
        settings: Allow/deny/autoload switches (default: from the environment).
        extra_plugins: ``(name, plugin_object)`` pairs registered after the builtins, as if they
            came from an entry point of a distribution called ``name`` (tests use this).
        load_entry_points: Set ``False`` to skip entry-point discovery entirely.
    """
    from odibi_core import __version__
    from odibi_core.builtins import BUILTIN_PLUGINS

    settings = settings or PluginSettings.from_env()
    pm = pluggy.PluginManager(PROJECT_NAME)
    pm.add_hookspecs(OdibiHookSpecs)
    hook_logger = logging.getLogger(HOOK_LOGGER)
    if hook_logger.isEnabledFor(logging.DEBUG):  # only when asked for: it is very verbose
        pm.trace.root.setwriter(hook_trace_writer(hook_logger))
        pm.enable_tracing()

    infos: list[PluginInfo] = []
    for name, module_path in BUILTIN_PLUGINS:
        import importlib

        plugin = importlib.import_module(module_path)
        pm.register(plugin, name=name)
        infos.append(PluginInfo(name, BUILTIN_DISTRIBUTION, __version__, STATUS_ACTIVE,
                                entry_point=module_path, obj=plugin))
    for name, plugin in extra_plugins:
        infos.append(PluginInfo(name, normalize_dist(name), "test", STATUS_ACTIVE, obj=plugin))
        pm.register(plugin, name=name)
    if load_entry_points:
        for info in discover_entry_points(settings):
            infos.append(info)
            if info.status != STATUS_ACTIVE:
                continue
            try:
                pm.register(info.obj, name=info.name)
            except ValueError as exc:
                info.status, info.reason = STATUS_FAILED, f"cannot register: {exc}"
                continue
            except pluggy.PluginValidationError as exc:
                info.status, info.reason = STATUS_FAILED, f"invalid hook implementation: {exc}"
                continue
            unknown = _unknown_hooks(pm, info.obj)
            if unknown:
                pm.unregister(info.obj)
                info.status, info.reason = STATUS_FAILED, unknown
    try:
        pm.check_pending()
    except pluggy.PluginValidationError as exc:
        raise PluginError(
            f"a plugin implements an unknown hook: {exc}",
            hint="Hook names start with odibi_; see the hook reference for the exact spelling.",
        ) from None
    manager = OdibiPluginManager(pm, infos)
    for info in infos:
        if info.obj is not None and info.status == STATUS_ACTIVE:
            info.hooks = manager.hooks_of(info.obj)
        _log_decision(info)
    return manager


def _log_decision(info: PluginInfo) -> None:
    """One debug line per plugin: loaded (with its hooks), blocked or failed, and why."""
    if not logger.isEnabledFor(logging.DEBUG):
        return
    if info.status == STATUS_ACTIVE:
        what = f"loaded: {', '.join(info.hooks)}" if info.hooks else "loaded"
    else:
        what = f"{info.status}: {info.reason}"
    logger.debug("plugin %s from %s %s %s", info.name, info.distribution, info.version, clip(what, 300))


def _call_registration(function: Callable[[], Any], hook_name: str,
                       spec_type: type) -> tuple[list[Any], str | None]:
    """Call a registration hook; ``(specs, None)``, or ``([], problem)`` if it raised or returned
    anything but a list of ``spec_type`` records with string names."""
    try:
        returned = function()
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # SystemExit included: a plugin never ends the host
        from odibi_core.plugins.guarded_import import describe_failure

        return [], f"{hook_name} raised {describe_failure(exc)}"
    if returned is None:
        return [], None
    expected = f"a list of {spec_type.__name__}"
    if not isinstance(returned, (list, tuple)):
        return [], f"{hook_name} returned {type(returned).__name__}, expected {expected}"
    for item in returned:
        name = getattr(item, "name", None)
        if not isinstance(item, spec_type) or not isinstance(name, str) or not name:
            kind = type(item).__name__
            return [], f"{hook_name} returned an item of type {kind}, expected {expected}"
    return list(returned), None


def _unknown_hooks(pm: pluggy.PluginManager, plugin: object) -> str | None:
    """Describe hook implementations of ``plugin`` that match no hookspec (typos), if any."""
    from odibi_core.config.suggestions import did_you_mean

    known = [name for name in dir(OdibiHookSpecs) if name.startswith("odibi_")]
    bad = [c.name for c in pm.get_hookcallers(plugin) or [] if not c.has_spec()]
    if not bad:
        return None
    return "; ".join(f"implements unknown hook {name!r}{did_you_mean(name, known)}" for name in bad)


PluginFactory = Callable[[], OdibiPluginManager]
