"""Entry-point discovery under a guard, honouring allow / deny / no-autoload switches.

The switches are evaluated on distribution names *before* any plugin module is imported, so a
blocked plugin's code never runs. A plugin built for another plugin API
(:mod:`odibi_core.plugins.api_version`) is ``failed`` right after its import, before any of its
hooks is registered. A plugin that raises (anything, ``sys.exit()`` included) or takes
longer than the import timeout while importing is recorded as ``failed`` with the reason; the run
goes on unless the project needs what that plugin provides (see
:mod:`odibi_core.plugins.guarded_import`).
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import metadata
from typing import Any

from odibi_core.plugins.api_version import api_problem, declared_api
from odibi_core.plugins.guarded_import import DEFAULT_IMPORT_TIMEOUT, load_entry_point
from odibi_core.plugins.hookspecs import ENTRY_POINT_GROUP

logger = logging.getLogger("odibi.plugins")

ENV_DISABLE_AUTOLOAD = "ODIBI_DISABLE_PLUGIN_AUTOLOAD"
ENV_ALLOW = "ODIBI_PLUGINS"
ENV_DENY = "ODIBI_DISABLE_PLUGINS"
ENV_IMPORT_TIMEOUT = "ODIBI_PLUGIN_IMPORT_TIMEOUT"
MAX_IMPORT_TIMEOUT = 600.0

BUILTIN_DISTRIBUTION = "odibi-core"

STATUS_ACTIVE = "active"
STATUS_BLOCKED = "blocked"
STATUS_FAILED = "failed"


def normalize_dist(name: str) -> str:
    """PEP 503 normalised distribution name (``Odibi_State.Local`` -> ``odibi-state-local``)."""
    return re.sub(r"[-_.]+", "-", name).lower()


@dataclass(frozen=True)
class PluginSettings:
    """Which entry-point plugins may load. Built from the environment and the YAML ``plugins:``.

    Attributes:
        autoload: Load entry points at all (``ODIBI_DISABLE_PLUGIN_AUTOLOAD=1`` turns it off).
        allow: If not ``None``, only these distributions load (``ODIBI_PLUGINS=a,b``; empty: none).
        deny: Distributions that never load (``ODIBI_DISABLE_PLUGINS=a,b``).
        import_timeout: Seconds each entry point may take to import (``None``: the default,
            5 s; ``0``: no bound). ``ODIBI_PLUGIN_IMPORT_TIMEOUT`` wins over the YAML
            ``plugins.import_timeout``.
    """

    autoload: bool = True
    allow: frozenset[str] | None = None
    deny: frozenset[str] = frozenset()
    import_timeout: float | None = None

    @property
    def effective_import_timeout(self) -> float:
        """The import timeout in force (the default when none was set)."""
        return DEFAULT_IMPORT_TIMEOUT if self.import_timeout is None else self.import_timeout

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> PluginSettings:
        """Read the ``ODIBI_*`` plugin switches from ``environ`` (default ``os.environ``)."""
        env = os.environ if environ is None else environ
        autoload = env.get(ENV_DISABLE_AUTOLOAD, "").strip().lower() not in {"1", "true", "yes"}
        allow: frozenset[str] | None = None
        if ENV_ALLOW in env:
            allow = _split(env[ENV_ALLOW])
        return cls(
            autoload=autoload,
            allow=allow,
            deny=_split(env.get(ENV_DENY, "")),
            import_timeout=_timeout_from_env(env),
        )

    def merged_with(
        self,
        *,
        autoload: bool | None,
        allow: Iterable[str] | None,
        deny: Iterable[str],
        import_timeout: float | None = None,
    ) -> PluginSettings:
        """Combine with the YAML ``plugins:`` section: the stricter switch wins; an import timeout
        from the environment wins over the YAML one."""
        new_allow = self.allow
        if allow is not None:
            yaml_allow = frozenset(normalize_dist(a) for a in allow)
            new_allow = yaml_allow if new_allow is None else new_allow & yaml_allow
        return PluginSettings(
            autoload=self.autoload and (autoload if autoload is not None else True),
            allow=new_allow,
            deny=self.deny | frozenset(normalize_dist(d) for d in deny),
            import_timeout=(
                self.import_timeout if self.import_timeout is not None else import_timeout
            ),
        )

    def blocked_reason(self, dist: str) -> str | None:
        """Why distribution ``dist`` may not load, or ``None`` if it may."""
        norm = normalize_dist(dist)
        if not self.autoload:
            return (
                f"plugin autoload is disabled ({ENV_DISABLE_AUTOLOAD} or plugins.autoload: false)"
            )
        if norm in self.deny:
            return f"denied ({ENV_DENY} or plugins.deny)"
        if self.allow is not None and norm not in self.allow:
            return f"not in the allow list ({ENV_ALLOW} or plugins.allow)"
        return None


def _timeout_from_env(env: Mapping[str, str]) -> float | None:
    text = env.get(ENV_IMPORT_TIMEOUT, "").strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value <= MAX_IMPORT_TIMEOUT:
        from odibi_core.errors import ConfigError

        raise ConfigError(
            f"environment variable {ENV_IMPORT_TIMEOUT} must be a number of seconds from 0 to "
            f"{MAX_IMPORT_TIMEOUT:g}, not {text!r}",
            hint=f"Unset it to use the default ({DEFAULT_IMPORT_TIMEOUT:g} s); 0 means no bound.",
        )
    return value


def _split(value: str) -> frozenset[str]:
    return frozenset(normalize_dist(v.strip()) for v in value.split(",") if v.strip())


@dataclass
class PluginInfo:
    """One plugin as ``odibi plugins list`` shows it.

    Attributes:
        name: Entry-point name (or ``builtins`` for the kernel's own).
        distribution: Distribution that ships it.
        version: Distribution version.
        status: ``active``, ``blocked`` or ``failed``.
        reason: Why blocked or failed (the error, one line).
        hooks: Hook names it implements (empty unless active).
        entry_point: ``module:attr`` value of the entry point.
        api: The plugin API version it declares (``ODIBI_PLUGIN_API``; ``None``: undeclared,
            or not imported).
    """

    name: str
    distribution: str
    version: str
    status: str
    reason: str | None = None
    hooks: list[str] = field(default_factory=list)
    entry_point: str = ""
    api: str | None = None
    obj: Any = field(default=None, repr=False, compare=False)

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly form (for ``--json``)."""
        return {
            "name": self.name,
            "distribution": self.distribution,
            "version": self.version,
            "status": self.status,
            "reason": self.reason,
            "hooks": self.hooks,
            "entry_point": self.entry_point,
            "api": self.api,
        }


def discover_entry_points(settings: PluginSettings) -> list[PluginInfo]:
    """Find every ``odibi.plugins`` entry point; import only the ones ``settings`` allow.

    Returns one :class:`PluginInfo` per entry point, with ``obj`` set for loaded plugins.
    """
    found: list[PluginInfo] = []
    for ep in sorted(metadata.entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
        dist = ep.dist
        dist_name = normalize_dist(dist.name) if dist is not None else "unknown"
        version = dist.version if dist is not None else "?"
        if dist_name == BUILTIN_DISTRIBUTION:
            continue  # builtins are registered directly, never through entry points
        info = PluginInfo(ep.name, dist_name, version, STATUS_ACTIVE, entry_point=ep.value)
        reason = settings.blocked_reason(dist_name)
        if reason is not None:
            info.status, info.reason = STATUS_BLOCKED, reason
            found.append(info)
            continue
        info.obj, failure = load_entry_point(ep, settings.effective_import_timeout)
        if failure is None:
            declared = declared_api(info.obj)
            info.api = None if declared is None else str(declared)
            failure = api_problem(declared, plugin=ep.name, distribution=dist_name, version=version)
            if failure is not None:
                info.obj = None  # built for another API: none of its hooks may run
        if failure is not None:  # a broken plugin must never take the host down
            info.status, info.reason = STATUS_FAILED, failure
            logger.warning("plugin %s (%s) failed to load: %s", ep.name, dist_name, info.reason)
        found.append(info)
    return found


def distribution_version(name: str) -> str | None:
    """Installed version of distribution ``name``, or ``None`` if not installed."""
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None
