"""YAML parsing that keeps the line of every key, refuses what YAML could hide, and stays bounded.

* The file must be UTF-8 (a UTF-8 byte-order mark is fine); anything else is refused with the
  line of the first byte that is not UTF-8.
* Tags (``!foo``, ``!!python/name:...``, ``!!str``) are refused on every value: a project file is
  plain data.
* Duplicate keys are refused, naming both lines; merge keys (``<<: *defaults``) work as in YAML
  1.1: keys written in the mapping win over merged ones, earlier merged mappings over later ones.
* Size, nesting and alias expansion are bounded by
  :class:`~odibi_core.config.yaml_limits.YamlLimits`.

Problems that leave the file readable (tags, duplicate keys) are collected so that every one is
reported in one pass; a file that cannot be parsed stops with one error.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from odibi_core.config.locations import KeyPath, Location, LocationMap, format_path
from odibi_core.config.problems import Problem
from odibi_core.config.yaml_bounds import check_expansion, composer_class
from odibi_core.config.yaml_limits import ENV_MAX_BYTES, YamlLimits
from odibi_core.errors import ConfigError

MERGE_TAG = "tag:yaml.org,2002:merge"

_OTHER_ENCODINGS = (
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\xfe\xff", "UTF-16"),
    (b"\xff\xfe", "UTF-16"),
)


def load_yaml_file(
    path: Path,
    *,
    display: str | None = None,
    limits: YamlLimits | None = None,
    problems: list[Problem] | None = None,
) -> tuple[Any, LocationMap]:
    """Parse ``path``; return the data and a :class:`LocationMap` of every key and item.

    Args:
        path: The file.
        display: How errors name the file (default: ``path`` as given).
        limits: Size, depth and alias limits (default: :meth:`YamlLimits.from_env`).
        problems: Where problems that leave the file readable are appended; when ``None`` they
            are raised at the end of the file.
    """
    name = display or str(path)
    limits = limits or YamlLimits.from_env()
    try:
        size = path.stat().st_size
        if size > limits.max_bytes:
            raise ConfigError(
                f"{name}:1: the file is {size:,} bytes, more than the {limits.max_bytes:,} a "
                f"project "
                f"file may have",
                hint=f"Split it with `imports:`, or raise the limit with {ENV_MAX_BYTES}.",
            )
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"project file {name} does not exist") from None
    except IsADirectoryError:
        raise ConfigError(f"{name} is a folder, not a project file") from None
    except OSError as exc:
        raise ConfigError(f"cannot read {name}: {exc.strerror}") from None
    if len(raw) > limits.max_bytes:  # it grew since stat
        raise ConfigError(
            f"{name}:1: the file is more than the {limits.max_bytes:,} bytes a "
            f"project file may have"
        )
    return load_yaml_text(decode_utf8(raw, name), name, limits=limits, problems=problems)


def decode_utf8(raw: bytes, name: str) -> str:
    """``raw`` as text; a config error naming the line unless it is UTF-8 (a BOM is dropped)."""
    for bom, encoding in _OTHER_ENCODINGS:
        if raw.startswith(bom):
            raise ConfigError(
                f"{name}:1: the file is encoded as {encoding}; project files must be UTF-8",
                hint="Save the file as UTF-8 (most editors offer it under 'Save with encoding').",
            )
    if b"\x00" in raw:
        line = raw.count(b"\n", 0, raw.index(b"\x00")) + 1
        raise ConfigError(
            f"{name}:{line}: the file contains NUL bytes: it is not UTF-8 text (UTF-16 without a "
            "byte-order mark, or a binary file?)",
            hint="Save the file as UTF-8.",
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise ConfigError(
            f"{name}:{line}: the file is not UTF-8 (byte 0x{raw[exc.start]:02x} at column "
            f"{column}; "
            "Latin-1 or Windows-1252?)",
            hint="Save the file as UTF-8.",
        ) from None


def load_yaml_text(
    text: str,
    name: str,
    *,
    limits: YamlLimits | None = None,
    problems: list[Problem] | None = None,
) -> tuple[Any, LocationMap]:
    """Parse YAML ``text`` (``name`` in errors) with locations; see :func:`load_yaml_file`."""
    limits = limits or YamlLimits.from_env()
    collected: list[Problem] = [] if problems is None else problems
    before = len(collected)
    loader = composer_class()(text, name, limits, collected)
    try:
        node = loader.get_single_node()
    except yaml.YAMLError as exc:
        raise ConfigError(_yaml_error_text(exc, name, text)) from None
    except RecursionError:
        raise ConfigError(f"{name}:1: the file nests too deeply to read") from None
    finally:
        loader.dispose()
    locations = LocationMap()
    if node is None:
        data: Any = {}
    else:
        if loader.alias_uses:  # without aliases, composing already bounded size and depth
            check_expansion(node, name, limits)
        data = _Builder(name, locations, collected).build(node, ())
    if problems is None and len(collected) > before:
        from odibi_core.config.problems import fail

        fail(collected)
    return data, locations


def _yaml_error_text(exc: yaml.YAMLError, name: str, text: str) -> str:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    if mark is not None:
        line = mark.line + 1
    elif isinstance(getattr(exc, "position", None), int):
        line = text.count("\n", 0, exc.position) + 1
    else:
        line = 1
    from odibi_core.redaction.shorten import first_line  # redact before cutting a line

    problem = getattr(exc, "problem", None) or getattr(exc, "reason", None) or first_line(exc)
    context, context_mark = getattr(exc, "context", None), getattr(exc, "context_mark", None)
    if context:
        where = f" at line {context_mark.line + 1}" if context_mark is not None else ""
        problem = f"{problem} ({context}{where})"
    return f"{name}:{line}: invalid YAML: {problem}"


class _Builder:
    """Turns composed nodes into plain data, recording each key's file and line."""

    def __init__(self, name: str, locations: LocationMap, problems: list[Problem]) -> None:
        self.name = name
        self.locations = locations
        self.problems = problems
        self.constructor = yaml.SafeLoader("")

    def _where(self, node: yaml.Node) -> Location:
        return Location(self.name, node.start_mark.line + 1)

    def build(self, node: yaml.Node, path: KeyPath) -> Any:
        self.locations.set(path, self._where(node))
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        return self._scalar(node, path)

    def _scalar(self, node: yaml.Node, path: KeyPath) -> Any:
        try:
            return self.constructor.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError, OverflowError, TypeError) as exc:
            detail = getattr(exc, "problem", None) or str(exc)
            self.problems.append(
                Problem(f"cannot read the value {node.value!r}: {detail}", self._where(node), path)
            )
            return str(node.value)

    def _mapping(self, node: yaml.MappingNode, path: KeyPath) -> dict[Any, Any]:
        result: dict[Any, Any] = {}
        merges: list[yaml.Node] = []
        for key_node, value_node in node.value:
            if key_node.tag == MERGE_TAG:
                merges.append(value_node)
                continue
            key = self._key(key_node, path)
            if key is _INVALID:
                continue
            if key in result:
                first = self.locations.find((*path, key))
                self.problems.append(
                    Problem(
                        f"duplicate key {format_path((*path, key))!s} (first defined at line "
                        f"{first.line if first else '?'})",
                        self._where(key_node),
                    )
                )
                continue
            self.locations.set((*path, key), self._where(key_node))
            result[key] = self.build(value_node, (*path, key))
            self.locations.set((*path, key), self._where(key_node))
        for merge in merges:
            for source in merge.value if isinstance(merge, yaml.SequenceNode) else [merge]:
                if not isinstance(source, yaml.MappingNode):
                    self.problems.append(
                        Problem(
                            "a merge key (<<) takes a mapping or a list of mappings",
                            self._where(source),
                            path,
                        )
                    )
                    continue
                own, self.locations = self.locations, LocationMap()
                try:
                    merged = self._mapping(source, path)
                finally:
                    scratch, self.locations = self.locations, own
                for key, value in merged.items():
                    if key not in result:
                        result[key] = value
                        self.locations.overlay(scratch, (*path, key), (*path, key))
        return result

    def _key(self, key_node: yaml.Node, path: KeyPath) -> Any:
        if not isinstance(key_node, yaml.ScalarNode):
            self.problems.append(
                Problem(
                    "keys must be plain names, not mappings or lists", self._where(key_node), path
                )
            )
            return _INVALID
        key = self._scalar(key_node, path)
        if not isinstance(key, (str, int, float, bool)) and key is not None:
            return str(key_node.value)  # a date-like key is a name like any other
        return key


_INVALID = object()
