"""The plugin manager facade and its factory.

:func:`create_plugin_manager` builds a fresh manager (never at import time): hookspecs, the
kernel's builtin plugins (through the same hooks as everyone else), then the entry points the
switches allow, each under a guard, then ``check_pending``. :class:`OdibiPluginManager` has one
typed method per hook so the rest of the kernel never calls ``pm.hook.x(...)`` with loose kwargs.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import pluggy

from odibi_core.errors import PluginConflictError, PluginError
from odibi_core.logs import HOOK_LOGGER
from odibi_core.plugins.hook_trace import hook_trace_writer
from odibi_core.plugins.hookspecs import PROJECT_NAME, OdibiHookSpecs
from odibi_core.plugins.loader import (
    BUILTIN_DISTRIBUTION,
    ENV_DENY,
    STATUS_ACTIVE,
    STATUS_BLOCKED,
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
from odibi_core.redaction.shorten import clip

if TYPE_CHECKING:
    from odibi_core.contracts.lifecycle import (
        FinishedRun,
        NodeResult,
        NodeRunContext,
        PipelineRunContext,
        RunResult,
    )
    from odibi_core.plugins.types import DoctorContext

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

#: Components the project's own distributions provide, for the hint of an unknown name.
KNOWN_PROVIDERS: dict[tuple[str, str], str] = {
    ("engine", "pandas"): "odibi-engine-pandas",
    ("engine", "spark"): "odibi-engine-spark",
    ("connection", "postgres"): "odibi-connector-postgres",
    ("connection", "azure_blob"): "odibi-connector-azure",
    ("connection", "azure_adls"): "odibi-connector-azure",
    ("format", "delta"): "odibi-format-delta",
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
        # oldest registration first, so builtins are seen before plugins that might shadow them
        for plugin_name, returned, error in reversed(list(self.call_each(hook_name))):
            info = by_plugin.get(plugin_name)
            dist = info.distribution if info else plugin_name
            specs, problem = _check_registration(returned, error, hook_name, SPEC_TYPES[kind])
            if problem is not None:
                if info is None or info.distribution == BUILTIN_DISTRIBUTION:
                    raise PluginError(f"plugin {plugin_name} ({dist}): {problem}")
                # a broken plugin contributes nothing and is reported; unrelated runs go on
                info.status, info.reason = STATUS_FAILED, problem
                logger.warning("plugin %s (%s) failed: %s", plugin_name, dist, problem)
                self._drop(plugin_name)
                continue
            for spec in specs:
                name = spec.name
                if name in registry:
                    other = registry[name]
                    raise PluginConflictError(
                        f"{kind} {name!r} is registered twice: by {other.distribution} "
                        f"(plugin {other.plugin}) and by {dist} (plugin {plugin_name})",
                        hint="Uninstall one of them, or block one with "
                        f"ODIBI_DISABLE_PLUGINS={dist}.",
                    )
                registry[name] = Registered(spec, plugin_name, dist)
        return registry

    def call_each(
        self, hook_name: str, **kwargs: Any
    ) -> Iterator[tuple[str, Any, BaseException | None]]:
        """Call hook ``hook_name`` once per implementing plugin, in pluggy's call order.

        Each call goes through pluggy's hook machinery (a subset hook caller holding that one
        plugin), so tracing, monitoring and ``tryfirst``/``trylast`` ordering apply, while a
        plugin that raises is isolated: it yields ``(plugin name, None, exception)`` and the
        others still run. ``KeyboardInterrupt`` is never swallowed.
        """
        caller = getattr(self.pm.hook, hook_name)
        impls = list(reversed(caller.get_hookimpls()))  # pluggy calls the newest (tryfirst) first
        everyone = [impl.plugin for impl in impls]
        for impl in impls:
            others = [p for p in everyone if p is not impl.plugin]
            single = self.pm.subset_hook_caller(hook_name, remove_plugins=others)
            try:
                returned = single(**kwargs)
            except KeyboardInterrupt:
                raise
            except BaseException as exc:  # SystemExit included: a plugin never ends the host
                yield impl.plugin_name, None, exc
                continue
            # a plain (non-firstresult) hook returns a list of the one implementation's result
            yield impl.plugin_name, (returned[0] if returned else None), None

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
        package = KNOWN_PROVIDERS.get((kind, name))
        if package is not None and distribution_version(package) is not None:
            package = None  # installed but blocked or failed: the notes say why
        raise PluginError(
            f"unknown {kind} {name!r}{did_you_mean(name, registry)}; "
            f"available: {', '.join(sorted(registry)) or 'none'}{notes}",
            hint=(
                f"pip install {package}"
                if package
                else "Install the plugin that provides it (see `odibi plugins list --all`)."
            ),
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
        return self._lookup("engine", name).spec

    def connections(self) -> dict[str, Registered[ConnectionSpec]]:
        """Every registered connection type by YAML name."""
        return self._registry("connection")

    def connection(self, name: str) -> ConnectionSpec:
        """The connection type ``name``."""
        return self._lookup("connection", name).spec

    def formats(self) -> dict[str, Registered[FormatSpec]]:
        """Every plugin table format by YAML name (not csv/parquet/json: those are the engines')."""
        return self._registry("format")

    def format(self, name: str) -> FormatSpec:
        """The table format ``name``."""
        return self._lookup("format", name).spec

    def state_backends(self) -> dict[str, Registered[StateBackendSpec]]:
        """Every registered state backend by YAML name."""
        return self._registry("state backend")

    def state_backend(self, name: str) -> StateBackendSpec:
        """The state backend ``name``."""
        return self._lookup("state backend", name).spec

    def secret_providers(self) -> dict[str, Registered[SecretProviderSpec]]:
        """Every registered secret provider by YAML name."""
        return self._registry("secret provider")

    def secret_provider(self, name: str) -> SecretProviderSpec:
        """The secret provider ``name``."""
        return self._lookup("secret provider", name).spec

    def transforms(self) -> dict[str, Registered[TransformSpec]]:
        """Every transform registered by plugins (project ``transforms.py`` come on top)."""
        return self._registry("transform")

    def transformers(self) -> dict[str, Registered[TransformerSpec]]:
        """Every registered transformer (``- transformer: NAME`` steps) by name."""
        return self._registry("transformer")

    def transformer(self, name: str) -> TransformerSpec:
        """The transformer ``name``; a clear error with a suggestion if unknown."""
        return self._lookup("transformer", name).spec

    def write_capabilities(self) -> list[WriteCapabilitySpec]:
        """Every declaration of what a connection type (and format) supports as a write target."""
        return [r.spec for r in self._registry("write capability").values()]

    def cli_commands(self) -> dict[str, Registered[CliCommandSpec]]:
        """Every plugin-contributed CLI sub-app by name."""
        return self._registry("cli command")

    def doctor_checks(self, context: DoctorContext | None = None) -> list[DoctorCheck]:
        """Every ``odibi doctor`` line, builtin checks first (a raising plugin becomes a failed
        line).

        ``context`` defaults to this manager and no project (environment and plugin checks).
        """
        if context is None:
            from odibi_core.plugins.types import DoctorContext

            context = DoctorContext(self)
        checks: list[DoctorCheck] = []
        for plugin_name, returned, error in self.call_each("odibi_doctor_checks", context=context):
            if (
                error is None
                and isinstance(returned, (list, tuple))
                and all(isinstance(c, DoctorCheck) for c in returned)
            ):
                checks.extend(returned)
                continue
            if error is not None:
                from odibi_core.plugins.guarded_import import describe_failure

                detail = describe_failure(error)
            else:
                detail = (
                    f"odibi_doctor_checks returned {type(returned).__name__}, expected "
                    "a list of DoctorCheck"
                )
            checks.append(DoctorCheck("plugins", plugin_name, False, detail))
        return checks

    # --- lifecycle ----------------------------------------------------------------------

    def run_pipeline(self, context: PipelineRunContext) -> RunResult:
        """Call ``odibi_run_pipeline`` (wrappers around the kernel's implementation)."""
        result: RunResult = self.pm.hook.odibi_run_pipeline(context=context)
        return result

    def run_node(self, context: NodeRunContext) -> NodeResult:
        """Call ``odibi_run_node`` (wrappers around the kernel's implementation)."""
        result: NodeResult = self.pm.hook.odibi_run_node(context=context)
        return result

    def run_finished(self, run: FinishedRun) -> str | None:
        """Call ``odibi_run_finished`` on every reporter; the first location one returns.

        A reporter that raises costs one warning line, never the run or the other reporters.
        """
        location: str | None = None
        for plugin_name, returned, error in self.call_each("odibi_run_finished", run=run):
            if error is not None:
                from odibi_core.redaction import redact_text

                logger.warning(
                    redact_text(
                        f"plugin {plugin_name}: odibi_run_finished raised "
                        f"{type(error).__name__}: {error}"
                    )
                )
            elif location is None and isinstance(returned, str):
                location = returned
        return location

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
                raise PluginError(
                    f"plugins.requires entry {text!r} is not a requirement: {exc}"
                ) from None
            dist = normalize_dist(req.name)
            version = distribution_version(dist)
            if version is None:
                raise PluginError(
                    f"plugins.requires needs {text!r}, but {dist} is not installed",
                    hint=f"pip install '{text}'",
                )
            if req.specifier and not req.specifier.contains(version, prereleases=True):
                raise PluginError(
                    f"plugins.requires needs {text!r}, but {dist} {version} is installed"
                )
            info = next((p for p in self.plugins if p.distribution == dist), None)
            if info is not None and info.status != STATUS_ACTIVE:
                raise PluginError(
                    f"plugins.requires needs {dist}, but its plugin is {info.status}: {info.reason}"
                )


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
    from odibi_core.builtins import BUILTIN_PLUGINS, OPTIONAL_BUILTINS

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

        if name in OPTIONAL_BUILTINS and name in settings.deny:
            infos.append(
                PluginInfo(
                    name,
                    BUILTIN_DISTRIBUTION,
                    __version__,
                    STATUS_BLOCKED,
                    reason=f"denied ({ENV_DENY} or plugins.deny)",
                    entry_point=module_path,
                )
            )
            continue
        plugin = importlib.import_module(module_path)
        pm.register(plugin, name=name)
        infos.append(
            PluginInfo(
                name,
                BUILTIN_DISTRIBUTION,
                __version__,
                STATUS_ACTIVE,
                entry_point=module_path,
                obj=plugin,
            )
        )
    for name, extra in extra_plugins:
        info = PluginInfo(name, normalize_dist(name), "test", STATUS_ACTIVE, obj=extra)
        infos.append(info)
        _register_guarded(pm, info)
    if load_entry_points:
        for info in discover_entry_points(settings):
            infos.append(info)
            if info.status == STATUS_ACTIVE:
                _register_guarded(pm, info)
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
    logger.debug(
        "plugin %s from %s %s %s", info.name, info.distribution, info.version, clip(what, 300)
    )


def _check_registration(
    returned: Any, error: BaseException | None, hook_name: str, spec_type: type
) -> tuple[list[Any], str | None]:
    """``(specs, None)``, or ``([], problem)`` if the registration hook raised or returned anything
    but a list of ``spec_type`` records with string names."""
    if error is not None:
        from odibi_core.plugins.guarded_import import describe_failure

        return [], f"{hook_name} raised {describe_failure(error)}"
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


def _register_guarded(pm: pluggy.PluginManager, info: PluginInfo) -> None:
    """Register a plugin's object; on a bad hook implementation unregister it and mark it failed."""
    try:
        pm.register(info.obj, name=info.name)
    except ValueError as exc:
        info.status, info.reason = STATUS_FAILED, f"cannot register: {exc}"
        return
    except pluggy.PluginValidationError as exc:
        info.status, info.reason = STATUS_FAILED, f"invalid hook implementation: {exc}"
        return
    problem = _unknown_hooks(pm, info.obj) or _plain_lifecycle_hooks(pm, info.obj)
    if problem:
        pm.unregister(info.obj)
        info.status, info.reason = STATUS_FAILED, problem
        logger.warning("plugin %s (%s) failed: %s", info.name, info.distribution, problem)


#: Hooks the kernel's own execution implements: a plugin may only wrap them.
KERNEL_EXECUTED_HOOKS = ("odibi_run_pipeline", "odibi_run_node")


def _plain_lifecycle_hooks(pm: pluggy.PluginManager, plugin: object) -> str | None:
    """Describe lifecycle implementations of ``plugin`` that are not wrappers, if any.

    A plain implementation of a hook the kernel executes would be called instead of the
    kernel's (pluggy stops at the first result), silently skipping the real work.
    """
    bad = [
        name
        for name in KERNEL_EXECUTED_HOOKS
        for impl in getattr(pm.hook, name).get_hookimpls()
        if impl.plugin is plugin and not (impl.wrapper or impl.hookwrapper)
    ]
    if not bad:
        return None
    return "; ".join(
        f"implements {name} without wrapper=True: a plain implementation would replace the "
        "kernel's "
        f"execution; decorate it with @hookimpl(wrapper=True) and yield to the kernel"
        for name in bad
    )


def _unknown_hooks(pm: pluggy.PluginManager, plugin: object) -> str | None:
    """Describe hook implementations of ``plugin`` that match no hookspec (typos), if any."""
    from odibi_core.config.suggestions import did_you_mean

    known = [name for name in dir(OdibiHookSpecs) if name.startswith("odibi_")]
    bad = [c.name for c in pm.get_hookcallers(plugin) or [] if not c.has_spec()]
    if not bad:
        return None
    return "; ".join(f"implements unknown hook {name!r}{did_you_mean(name, known)}" for name in bad)
