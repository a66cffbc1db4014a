"""Where each value of a project came from: file and line, by key path."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

KeyPath = tuple[object, ...]


@dataclass(frozen=True)
class Location:
    """A position in a project file (1-based line)."""

    file: str
    line: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


def format_path(path: Sequence[object]) -> str:
    """``("pipelines", 0, "nodes", 1, "read")`` -> ``pipelines[0].nodes[1].read``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "<root>"


class LocationMap:
    """Maps key paths to :class:`Location`; finds the nearest known ancestor for any path."""

    def __init__(self, entries: dict[KeyPath, Location] | None = None) -> None:
        self.entries: dict[KeyPath, Location] = dict(entries or {})

    def set(self, path: KeyPath, location: Location) -> None:
        """Record where ``path`` is defined."""
        self.entries[path] = location

    def find(self, path: Sequence[object]) -> Location | None:
        """Location of ``path`` or of its nearest ancestor that has one."""
        key = tuple(path)
        while True:
            if key in self.entries:
                return self.entries[key]
            if not key:
                return None
            key = key[:-1]

    def overlay(self, other: LocationMap, prefix: KeyPath = (), target: KeyPath = ()) -> None:
        """Copy entries of ``other`` under ``prefix`` into this map, re-rooted at ``target``."""
        n = len(prefix)
        for path, loc in list(other.entries.items()):  # other may be self
            if path[:n] == prefix:
                self.entries[target + path[n:]] = loc

    def drop(self, prefix: KeyPath) -> None:
        """Forget every entry under ``prefix`` (a replaced subtree)."""
        n = len(prefix)
        for path in [p for p in self.entries if p[:n] == prefix]:
            del self.entries[path]
