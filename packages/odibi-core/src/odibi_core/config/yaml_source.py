"""YAML parsing that keeps the line of every key and refuses duplicate keys."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from odibi_core.config.locations import KeyPath, Location, LocationMap, format_path
from odibi_core.errors import ConfigError


def load_yaml_file(path: Path, *, display: str | None = None) -> tuple[Any, LocationMap]:
    """Parse ``path``; return the data and a :class:`LocationMap` of every key and item."""
    name = display or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"project file {name} does not exist") from None
    except OSError as exc:
        raise ConfigError(f"cannot read {name}: {exc.strerror}") from None
    return load_yaml_text(text, name)


def load_yaml_text(text: str, name: str) -> tuple[Any, LocationMap]:
    """Parse YAML ``text`` (called ``name`` in errors) with locations."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = mark.line + 1 if mark is not None else 0
        raise ConfigError(f"{name}:{line}: invalid YAML: {exc.problem}") from None
    locations = LocationMap()
    if node is None:
        return {}, locations
    builder = _Builder(name, locations)
    return builder.build(node, ()), locations


class _Builder:
    def __init__(self, name: str, locations: LocationMap) -> None:
        self.name = name
        self.locations = locations
        self.constructor = yaml.SafeLoader("")

    def build(self, node: yaml.Node, path: KeyPath) -> Any:
        self.locations.set(path, Location(self.name, node.start_mark.line + 1))
        if isinstance(node, yaml.MappingNode):
            self.constructor.flatten_mapping(node)
            result: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                key = self.constructor.construct_object(key_node, deep=True)
                if not isinstance(key, (str, int, float, bool)) and key is not None:
                    raise ConfigError(f"{self.name}:{key_node.start_mark.line + 1}: keys must be scalars")
                if key in result:
                    raise ConfigError(
                        f"{self.name}:{key_node.start_mark.line + 1}: duplicate key "
                        f"{format_path((*path, key))!s} (first defined at line "
                        f"{self.locations.find((*path, key)).line})"  # type: ignore[union-attr]
                    )
                self.locations.set((*path, key), Location(self.name, key_node.start_mark.line + 1))
                result[key] = self.build(value_node, (*path, key))
                self.locations.set((*path, key), Location(self.name, key_node.start_mark.line + 1))
            return result
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        return self.constructor.construct_object(node, deep=True)
