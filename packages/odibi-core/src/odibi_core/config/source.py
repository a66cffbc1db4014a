"""A project as parsed from its files, before references are resolved.

Its own module so that the loader (which builds it) and the reference resolver (which reads it)
both depend on it and not on each other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from odibi_core.config.locations import LocationMap
from odibi_core.config.problems import Problem
from odibi_core.config.references import Reference, find_references

if TYPE_CHECKING:
    from odibi_core.plugins.loader import PluginSettings


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
        problems: Problems found while reading, not yet raised (``defer_problems``).
    """

    path: Path
    data: dict[str, Any]
    locations: LocationMap
    files: list[str]
    environment: str | None = None
    environments_data: dict[str, Any] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    @property
    def project_dir(self) -> Path:
        """Folder of the root project file: relative paths resolve against it."""
        return self.path.parent

    def references(self, *, all_environments: bool = False) -> list[Reference]:
        """References in the effective document (and in every environment if asked)."""
        refs = find_references(
            {k: v for k, v in self.data.items() if k != "environments"}, self.locations
        )
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
        timeout = section.get("import_timeout")
        return base.merged_with(
            autoload=section.get("autoload") if isinstance(section.get("autoload"), bool) else None,
            allow=section.get("allow") if isinstance(section.get("allow"), list) else None,
            deny=deny if isinstance(deny := section.get("deny"), list) else [],
            import_timeout=float(timeout) if _is_timeout(timeout) else None,  # type: ignore[arg-type]
        )


def _is_timeout(value: Any) -> bool:
    """A YAML ``plugins.import_timeout`` usable before validation (the model reports the rest)."""
    from odibi_core.plugins.loader import MAX_IMPORT_TIMEOUT

    return (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and 0 <= value <= MAX_IMPORT_TIMEOUT
    )
