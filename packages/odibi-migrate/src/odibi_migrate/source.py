"""Reading an original project: YAML with line numbers, imports, ``.env`` and ``transforms.py``."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PROJECT_FILES = ("odibi.yaml", "odibi.yml", "project.yaml", "project.yml")
"""Names an original project file is looked for under, in order."""


@dataclass
class Located:
    """A YAML value and where it was written."""

    value: Any
    file: str
    line: int


@dataclass
class OldProject:
    """Everything read from the original project.

    Attributes:
        root: The project folder.
        main: The project file, relative to ``root``.
        data: The merged YAML (imports merged as the original did: pipelines appended).
        lines: ``id(node) -> (file, line)`` for every mapping and list of the YAML.
        files: Every file read, relative to ``root``.
        env_file: ``.env`` beside the project, if any.
        transforms: ``transforms.py`` beside the project, if any.
    """

    root: Path
    main: str
    data: dict[str, Any]
    lines: dict[int, tuple[str, int]] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    env_file: Path | None = None
    transforms: Path | None = None

    def locate(self, node: Any, fallback: str) -> str:
        """``file:line`` of a mapping or list of the YAML, else ``fallback``."""
        found = self.lines.get(id(node))
        return f"{found[0]}:{found[1]}" if found else fallback

    def where(self, node: Any, fallback: Any = None) -> str:
        """``file:line`` of a mapping or list of the YAML (or of ``fallback``)."""
        for candidate in (node, fallback):
            found = self.lines.get(id(candidate))
            if found:
                return f"{found[0]}:{found[1]}"
        return self.main


def find_project_file(path: Path) -> Path:
    """The project file in ``path`` (a folder) or ``path`` itself."""
    if path.is_file():
        return path
    for name in PROJECT_FILES:
        if (path / name).is_file():
            return path / name
    raise FileNotFoundError(f"no project file ({', '.join(PROJECT_FILES)}) in {path}")


def _load(path: Path, rel: str, lines: dict[int, tuple[str, int]]) -> Any:
    import yaml

    class LineLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
        """The safe loader (libyaml's when installed) recording where each node was written."""

    def construct_mapping(loader: LineLoader, node: yaml.MappingNode) -> dict[Any, Any]:
        mapping = loader.construct_mapping(node, deep=True)
        lines[id(mapping)] = (rel, node.start_mark.line + 1)
        return mapping

    def construct_sequence(loader: LineLoader, node: yaml.SequenceNode) -> list[Any]:
        seq = loader.construct_sequence(node, deep=True)
        lines[id(seq)] = (rel, node.start_mark.line + 1)
        return seq

    LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, construct_mapping)
    LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, construct_sequence)
    with path.open(encoding="utf-8") as handle:
        return yaml.load(handle, Loader=LineLoader) or {}


def read_old_project(path: Path) -> OldProject:
    """Read the original project at ``path`` with its imports merged."""
    main = find_project_file(path)
    root = main.parent
    lines: dict[int, tuple[str, int]] = {}
    files = [main.name]
    data = _load(main, main.name, lines)
    if not isinstance(data, dict):
        raise ValueError(f"{main.name}: not a YAML mapping")
    for imported in list(data.get("imports") or []):
        target = (root / str(imported)).resolve()
        rel = str(Path(str(imported)))
        piece = _load(target, rel, lines)
        files.append(rel)
        for key, value in (piece or {}).items():
            if key == "pipelines":
                data.setdefault("pipelines", [])
                data["pipelines"].extend(value or [])
            elif key not in data:
                data[key] = value
            elif isinstance(data[key], dict) and isinstance(value, dict):
                data[key] = {**value, **data[key]}
    env = root / ".env"
    transforms = root / "transforms.py"
    return OldProject(
        root,
        main.name,
        data,
        lines,
        files,
        env if env.is_file() else None,
        transforms if transforms.is_file() else None,
    )
