"""Validate-time checks of every ``path:`` against its connection, with file and line.

Run by ``odibi validate`` and before ``odibi run`` touches anything:

* each ``read.path`` / ``write.path`` must stay under its connection's root
  (:meth:`~odibi_core.contracts.connection.FileConnection.check_path`); a write may not target the
  root itself;
* a write target may not hold the project file, the run reports or the state file;
* a write target may not hold another node's write target: publishing a folder replaces it whole,
  so the other node's output would be deleted.
"""

from __future__ import annotations

import logging
import os
import posixpath
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from odibi_core.config.locations import KeyPath, format_path
from odibi_core.contracts.connection import FileConnection
from odibi_core.errors import ConfigError
from odibi_core.plugins.types import BuildContext

if TYPE_CHECKING:
    from odibi_core.config.loader import LoadedProject
    from odibi_core.plugins.manager import OdibiPluginManager

logger = logging.getLogger("odibi.config")

OWN_TARGET_HINT = "Give every node's output its own file or folder, none inside another."


@dataclass(frozen=True)
class WriteTarget:
    """A node's resolved write target (``where``: the key path of its ``path:``)."""

    key: str
    shown: str
    node: str
    where: KeyPath


def _connections(project: LoadedProject, pm: OdibiPluginManager) -> dict[str, FileConnection]:
    """The project's file connections, built as a run would build them (nothing is opened)."""
    cfg = project.config
    used = {
        part.connection
        for p in cfg.pipelines
        for n in p.nodes
        for part in (n.read, n.write)
        if part is not None and part.path is not None
    }
    built: dict[str, FileConnection] = {}
    for name in sorted(used):
        config = cfg.connections.get(name)
        if config is None or name not in project.connection_options:
            continue
        try:
            spec = pm.connection(config.type)
            context = BuildContext(
                name=name, project_dir=project.project_dir, project_name=cfg.project
            )
            connection = spec.factory(project.connection_options[name], context)
        except Exception as exc:  # a plugin that cannot build without a run: checked at run time
            logger.debug("path checks of connection %s skipped: %s", name, exc)
            continue
        if isinstance(connection, FileConnection):
            connection.name, connection.type = name, config.type
            built[name] = connection
    return built


def _target(connection: FileConnection, path: str) -> str:
    """Where a write of ``path`` lands, comparable between nodes. Local folders are resolved;
    other connections (object stores) are compared by their paths as written, because resolving
    them may need the network and ``validate`` touches nothing outside the project."""
    from odibi_core.connections.local import LocalConnection

    if isinstance(connection, LocalConnection):
        return connection.resolve(path)
    return f"{connection.name}:/{posixpath.normpath('/' + path).lstrip('/')}"


def _key(resolved: str) -> str:
    """A comparable form of a resolved target: symlinks resolved (local), URIs as written."""
    return os.path.realpath(resolved) if os.path.isabs(resolved) else resolved.rstrip("/")


def _protected(project: LoadedProject) -> list[tuple[str, str]]:
    """``(real path, what it is)`` of what no write may replace."""
    from odibi_core.reports.store import reports_dir

    items = [
        (str(project.project_dir.resolve()), "the project folder"),
        (str(reports_dir(project.project_dir, project.config.reports)), "the run reports"),
    ]
    state_path = getattr(project.state_options, "path", None)
    if isinstance(state_path, str) and state_path:
        path = Path(os.path.expanduser(state_path))
        items.append(
            (
                os.path.realpath(path if path.is_absolute() else project.project_dir / path),
                "the state file",
            )
        )
    return items


def _within(inner: str, outer: str) -> bool:
    return inner == outer or inner.startswith(outer.rstrip("/") + "/")


@dataclass(frozen=True)
class PathProblem:
    """One ``path:`` breaking a rule (the message carries no location; ``key`` locates it)."""

    key: KeyPath
    message: str
    error: type[ConfigError] = ConfigError
    hint: str | None = None


def file_path_problems(project: LoadedProject, pm: OdibiPluginManager) -> list[PathProblem]:
    """Every ``path:`` breaking a rule of the module docstring, in file order."""
    connections = _connections(project, pm)
    problems: list[PathProblem] = []
    targets: list[WriteTarget] = []
    for p_index, pipeline in enumerate(project.config.pipelines):
        for n_index, node in enumerate(pipeline.nodes):
            for section in ("read", "write"):
                part = getattr(node, section)
                connection = connections.get(part.connection) if part is not None else None
                if connection is None or part.path is None:
                    continue
                key: KeyPath = ("pipelines", p_index, "nodes", n_index, section, "path")
                try:
                    connection.check_path(part.path, write=section == "write")
                    resolved = _target(connection, part.path) if section == "write" else ""
                except ConfigError as exc:
                    problems.append(PathProblem(key, exc.message, type(exc), exc.hint))
                    continue
                if section == "write":
                    shown = f"{part.connection}:{part.path}"
                    targets.append(WriteTarget(_key(resolved), shown, node.name, key))
    return problems + _target_problems(project, targets)


def check_file_paths(project: LoadedProject, pm: OdibiPluginManager) -> None:
    """Raise the first of :func:`file_path_problems` as its error, prefixed with file:line."""
    for problem in file_path_problems(project, pm):
        where = f"{project.location(problem.key)}: {format_path(problem.key)}"
        raise problem.error(f"{where}: {problem.message}", hint=problem.hint)


def _target_problems(project: LoadedProject, targets: list[WriteTarget]) -> list[PathProblem]:
    problems: list[PathProblem] = []
    for target in targets:
        for path, what in _protected(project):
            if _within(path, target.key):
                problems.append(
                    PathProblem(
                        target.where,
                        f"write target {target.shown} of node {target.node!r} holds {what}; "
                        "publishing it would replace them",
                        hint=OWN_TARGET_HINT,
                    )
                )
    by_key = {t.key: t for t in targets}
    for inner in targets:
        parent = inner.key
        while True:
            parent, _, tail = parent.rpartition("/")
            if not tail or not parent:
                break
            outer = by_key.get(parent)
            if outer is not None:
                problems.append(
                    PathProblem(
                        outer.where,
                        f"write target {outer.shown} of node {outer.node!r} holds the output of "
                        f"node {inner.node!r} ({inner.shown}, {project.location(inner.where)}); "
                        "publishing it would delete that output",
                        hint=OWN_TARGET_HINT,
                    )
                )
    return sorted(problems, key=lambda problem: [str(part) for part in problem.key])
