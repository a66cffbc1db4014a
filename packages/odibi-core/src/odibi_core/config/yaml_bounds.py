"""The bounded YAML composer: nesting, alias uses and tags checked while events stream in.

The composer builds YAML's node graph, in which an alias is the anchored node itself (shared, not
copied), so composing is linear in the file. :func:`check_expansion` then measures what turning
that graph into data would cost (aliases expanded) before anything is expanded. Events come from
libyaml when it is installed (several times faster than the pure-Python parser), otherwise from
PyYAML's own parser; both report the same marks.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.composer import Composer
from yaml.resolver import Resolver

from odibi_core.config.locations import Location
from odibi_core.config.problems import Problem
from odibi_core.config.yaml_limits import (
    ENV_MAX_ALIAS_VALUES,
    ENV_MAX_ALIASES,
    ENV_MAX_DEPTH,
    YamlLimits,
)
from odibi_core.errors import ConfigError

_YAML_TAG_PREFIX = "tag:yaml.org,2002:"


class _Bounds:
    """Checks mixed into the composer; see the module docstring."""

    name: str
    limits: YamlLimits
    problems: list[Problem]

    def _init_bounds(self, name: str, limits: YamlLimits, problems: list[Problem]) -> None:
        self.name = name
        self.limits = limits
        self.problems = problems
        self.depth = 0
        self.alias_uses = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()  # type: ignore[attr-defined]
        line = event.start_mark.line + 1
        if isinstance(event, yaml.AliasEvent):
            self.alias_uses += 1
            if self.alias_uses > self.limits.max_aliases:
                raise ConfigError(
                    f"{self.name}:{line}: more than {self.limits.max_aliases:,} alias uses "
                    f"(*name) in one file",
                    hint=f"Use fewer aliases, or raise the limit with {ENV_MAX_ALIASES}.",
                )
        elif getattr(event, "tag", None) is not None:
            tag = str(event.tag)
            shown = "!!" + tag[len(_YAML_TAG_PREFIX) :] if tag.startswith(_YAML_TAG_PREFIX) else tag
            self.problems.append(
                Problem(
                    f"YAML tag {shown} is not allowed: a project file holds plain values "
                    "(remove the tag; quote a value to make it a string)",
                    Location(self.name, line),
                )
            )
            event.tag = None  # read on as an untagged value, so later problems are found too
        nests = isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent))
        self.depth += nests
        try:
            if self.depth > self.limits.max_depth:
                raise ConfigError(
                    f"{self.name}:{line}: mappings and lists nest more than "
                    f"{self.limits.max_depth} deep",
                    hint=f"Flatten the structure, or raise the limit with {ENV_MAX_DEPTH}.",
                )
            return super().compose_node(parent, index)  # type: ignore[misc]
        finally:
            self.depth -= nests


class _PurePythonComposer(_Bounds, yaml.SafeLoader):
    def __init__(self, stream: str, name: str, limits: YamlLimits, problems: list[Problem]) -> None:
        yaml.SafeLoader.__init__(self, stream)
        self._init_bounds(name, limits, problems)


def composer_class() -> type:
    """The fastest bounded composer available: libyaml's events when installed, else PyYAML's."""
    global _COMPOSER
    if _COMPOSER is None:
        try:
            from yaml.cyaml import CParser
        except ImportError:  # PyYAML built without libyaml
            _COMPOSER = _PurePythonComposer
        else:

            class _LibyamlComposer(_Bounds, Composer, CParser, Resolver):
                def __init__(
                    self, stream: str, name: str, limits: YamlLimits, problems: list[Problem]
                ) -> None:
                    CParser.__init__(self, stream)
                    Composer.__init__(self)
                    Resolver.__init__(self)
                    self._init_bounds(name, limits, problems)

            _COMPOSER = _LibyamlComposer
    return _COMPOSER


_COMPOSER: type | None = None


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def check_expansion(root: yaml.Node, name: str, limits: YamlLimits) -> None:
    """Refuse a node graph whose expansion is too big or too deep, or that contains itself.

    Runs in time linear in the number of distinct nodes, whatever the expanded size.
    """
    size: dict[int, int] = {}
    depth: dict[int, int] = {}
    on_path: set[int] = set()
    distinct = 0
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, finished = stack.pop()
        key = id(node)
        if finished:
            on_path.discard(key)
            children = _children(node)
            size[key] = 1 + sum(size[id(c)] for c in children)
            depth[key] = 1 + max(
                (depth[id(c)] for c in children if not isinstance(c, yaml.ScalarNode)), default=0
            )
            line = node.start_mark.line + 1
            if size[key] - distinct > limits.max_alias_values:
                raise ConfigError(
                    f"{name}:{line}: aliases here expand to more than "
                    f"{limits.max_alias_values:,} values",
                    hint=f"Use fewer or smaller aliases, or raise the limit with "
                    f"{ENV_MAX_ALIAS_VALUES}.",
                )
            if depth[key] > limits.max_depth:
                raise ConfigError(
                    f"{name}:{line}: with aliases expanded, mappings and lists nest more than "
                    f"{limits.max_depth} deep",
                    hint=f"Flatten the structure, or raise the limit with {ENV_MAX_DEPTH}.",
                )
            continue
        if key in size:
            continue
        if key in on_path:
            raise ConfigError(
                f"{name}:{node.start_mark.line + 1}: an alias refers to a mapping or list "
                "that contains it (a recursive structure)"
            )
        on_path.add(key)
        distinct += 1
        stack.append((node, True))
        stack.extend((child, False) for child in _children(node) if id(child) not in size)
