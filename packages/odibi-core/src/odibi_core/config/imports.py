"""``imports:``: a project split across files, merged into one document with every line kept.

Rules (also in the concepts page):

* Each file in ``imports`` (relative to the file that lists it, imported files first, in list
  order) is merged *under* the importing file, recursively; an import cycle is an error.
* Mappings merge key by key; lists are concatenated (imported items first), so pipelines of every
  file are kept; a scalar set in both files takes the importing file's value.
* A connection defined in two files is an error naming both places; so is a pipeline name used
  twice (checked on the merged document, see :mod:`odibi_core.config.project_checks`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from odibi_core.config.locations import KeyPath, LocationMap
from odibi_core.config.problems import Problem, located
from odibi_core.config.yaml_limits import YamlLimits
from odibi_core.config.yaml_source import load_yaml_file
from odibi_core.errors import ConfigError

NAMED_MAPPINGS: frozenset[KeyPath] = frozenset({("connections",)})
"""Mappings whose keys are names that must be defined once across all files."""


def display_path(path: Path) -> str:
    """``path`` relative to the working directory when it is below it (shorter messages)."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


class ImportLoader:
    """Loads a root file and its imports; collects problems that leave the documents usable.

    Attributes:
        files: Every file read, root first, as shown in messages.
        locations: File and line of every key path of the merged document (after :meth:`load`).
        problems: Problems found so far (missing imports, cycles, duplicate connections, tags...).
    """

    def __init__(self, limits: YamlLimits | None = None) -> None:
        self.limits = limits or YamlLimits.from_env()
        self.files: list[str] = []
        self.locations = LocationMap()
        self.problems: list[Problem] = []

    def load(self, root: Path) -> dict[str, Any]:
        """The merged document of ``root`` (an absolute path); locations in :attr:`locations`."""
        data, self.locations = self._load(root, ())
        return data

    def _load(self, path: Path, stack: tuple[Path, ...]) -> tuple[dict[str, Any], LocationMap]:
        name = display_path(path)
        data, own = load_yaml_file(path, display=name, limits=self.limits, problems=self.problems)
        self.files.append(name)
        if not isinstance(data, dict):
            raise ConfigError(
                f"{name}:1: a project file must be a mapping of keys, not {_kind(data)}"
            )
        imports = data.get("imports") or []
        if not isinstance(imports, list):
            self.problems.append(located(own, ("imports",), "imports must be a list of file paths"))
            imports = []
        if not imports:
            return data, own
        merged: dict[str, Any] = {}
        locations = LocationMap()
        for i, item in enumerate(imports):
            if not isinstance(item, str) or not item.strip():
                self.problems.append(located(own, ("imports", i), "an import is a file path"))
                continue
            target = (path.parent / item).resolve()
            if target in (*stack, path):
                chain = " -> ".join(display_path(p) for p in (*stack, path, target))
                self.problems.append(located(own, ("imports", i), f"import cycle: {chain}"))
                continue
            if not target.is_file():
                what = "is a folder" if target.is_dir() else "does not exist"
                self.problems.append(located(own, ("imports", i), f"imported file {item} {what}"))
                continue
            imported, imported_locations = self._load(target, (*stack, path))
            imported.pop("imports", None)
            self._merge(merged, locations, imported, imported_locations, ())
        self._merge(merged, locations, data, own, ())
        root = own.find(())
        if root is not None:
            locations.set((), root)  # a key missing at the top is reported at the file's start
        return merged, locations

    def _merge(
        self,
        base: dict[str, Any],
        base_locations: LocationMap,
        top: dict[str, Any],
        top_locations: LocationMap,
        path: KeyPath,
    ) -> None:
        """Merge ``top`` (the importing side) into ``base`` (what was imported before it)."""
        for key, value in top.items():
            here = (*path, key)
            old = base.get(key)
            if key not in base:
                base[key] = value
                base_locations.overlay(top_locations, here, here)
            elif isinstance(old, dict) and isinstance(value, dict) and here in NAMED_MAPPINGS:
                for name, item in value.items():
                    if name in old:
                        first = base_locations.find((*here, name))
                        self.problems.append(
                            located(
                                top_locations,
                                (*here, name),
                                f"connection {name!r} is also defined at {first}; define each "
                                f"connection once",
                            )
                        )
                        continue
                    old[name] = item
                    base_locations.overlay(top_locations, (*here, name), (*here, name))
            elif isinstance(old, dict) and isinstance(value, dict):
                self._merge(old, base_locations, value, top_locations, here)
            elif isinstance(old, list) and isinstance(value, list):
                _reindex(base_locations, top_locations, here, len(old))
                old.extend(value)
            else:
                base[key] = value
                base_locations.drop(here)
                base_locations.overlay(top_locations, here, here)


def _reindex(base: LocationMap, top: LocationMap, prefix: KeyPath, offset: int) -> None:
    """Copy ``top``'s locations of the items under ``prefix`` into ``base``, moved by ``offset``."""
    n = len(prefix)
    for path, location in top.entries.items():
        index = path[n] if len(path) > n else None
        if path[:n] == prefix and isinstance(index, int):
            base.set((*prefix, index + offset, *path[n + 1 :]), location)


def _kind(value: Any) -> str:
    if value is None:
        return "an empty document"
    if isinstance(value, list):
        return "a list"
    return f"a single value ({type(value).__name__})"
