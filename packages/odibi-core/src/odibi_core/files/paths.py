"""A file connection's paths stay under its root.

Two checks, both run by ``odibi validate`` (and at the start of ``odibi run``) with the file and
line of the ``path:`` key, and again whenever a run reads or writes, for symlinks created since:

1. **Lexical** (every file connection): a ``path:`` is relative to the connection's root and uses
   ``/`` between folders. It may not be absolute (``/etc/passwd``), a URI or a drive (``file:...``,
   ``C:``), contain a NUL character or a backslash, or climb out of the root with ``..`` (a ``..``
   that stays inside, ``a/../b.csv``, is normalised to ``b.csv``). A write may not target the root
   itself (``""``, ``.``) nor be a glob.
2. **Symlinks** (connections on a real file system): with symlinks resolved, a path (for a read,
   every file it matches) must still be the root's own resolved folder or under it, unless the
   connection opts in with ``allow_outside_symlinks: true``.
"""

from __future__ import annotations

import os
import posixpath
import re
from pathlib import Path

from odibi_core.errors import ConfigError

GLOB_CHARS = "*?["
"""Characters that make a path a glob."""

MAX_NAME_BYTES = 255
"""Longest file or folder name (UTF-8 bytes) local file systems accept."""

_SCHEME_OR_DRIVE = re.compile(r"^(?:[A-Za-z][A-Za-z0-9+.\-]*:(?:/|$)|[A-Za-z]:)")


class PathOutsideConnection(ConfigError):
    """A ``path:`` would leave its connection's root, or a write targets the root itself."""

    default_hint = (
        "Paths are relative to the connection's base folder and stay inside it; point another "
        "connection at the other folder instead (symlinks: see allow_outside_symlinks)."
    )


class WriteTargetBlocked(ConfigError):
    """A write target needs a folder where a file already is (``out.csv/part.csv``)."""

    default_hint = "Write to another path, or move the file out of the way."


def ensure_folders_possible(root: Path, target: Path, *, connection: str, shown: str) -> None:
    """Raise :class:`WriteTargetBlocked` if a parent of ``target`` under ``root`` is a file."""
    for parent in target.parents:
        if parent == root or root not in parent.parents:
            return
        if os.path.lexists(parent) and not parent.is_dir():
            raise WriteTargetBlocked(
                f"path {shown!r} of connection {connection!r} needs the folder "
                f"{parent.relative_to(root)}, which is a file"
            )


def has_glob(path: str) -> bool:
    """Whether ``path`` holds a glob character (``*``, ``?``, ``[``)."""
    return any(c in path for c in GLOB_CHARS)


def relative_path(path: str, *, connection: str, write: bool = False) -> str:
    """The normalised form of ``path`` under a connection's root (``""`` for the root itself).

    Raises:
        PathOutsideConnection: ``path`` breaks a lexical rule of the module docstring.
    """

    def refuse(reason: str, hint: str | None = None) -> PathOutsideConnection:
        message = f"path {path!r} of connection {connection!r} {reason}"
        return PathOutsideConnection(message, hint=hint)

    if not isinstance(path, str):
        raise refuse("is not text")
    if "\x00" in path:
        raise refuse("contains a NUL character")
    try:
        os.fsencode(path)
    except UnicodeError:
        raise refuse("is not valid Unicode") from None
    if "\\" in path:
        raise refuse("contains a backslash; separate folders with /")
    if path.startswith("/"):
        raise refuse("is absolute; paths are relative to the connection's base folder")
    if _SCHEME_OR_DRIVE.match(path):
        raise refuse("is a URI or a drive; paths are relative to the connection's base folder")
    normal = posixpath.normpath(path) if path else "."
    if normal == ".." or normal.startswith("../"):
        raise refuse("climbs out of the connection's base folder with '..'")
    normal = "" if normal == "." else normal
    for part in normal.split("/") if normal else []:
        if len(part.encode("utf-8", "surrogateescape")) > MAX_NAME_BYTES:
            raise refuse(f"has a name longer than {MAX_NAME_BYTES} bytes")
    if write and not normal:
        raise refuse("is the connection's base folder itself; write to a file or folder under it",
                     "Publishing an output replaces its target whole: give it its own name, e.g. "
                     "path: by_region.")
    if write and has_glob(normal):
        raise refuse("is a glob; a write needs one target", "Name the one file or folder to write.")
    return normal


def static_prefix(relative: str) -> str:
    """The folders of ``relative`` before its first glob component (all of it if no glob)."""
    parts = relative.split("/") if relative else []
    kept: list[str] = []
    for part in parts:
        if has_glob(part):
            break
        kept.append(part)
    return "/".join(kept)


def is_inside(root: Path, candidate: Path) -> bool:
    """Whether ``candidate``, with every symlink resolved, is ``root`` (resolved) or under it.

    Parts of ``candidate`` that do not exist yet are taken as they are written.
    """
    real_root = os.path.realpath(root)
    real = os.path.realpath(candidate)
    try:
        return os.path.commonpath([real_root, real]) == real_root
    except ValueError:  # different drives
        return False


def ensure_inside(root: Path, candidate: Path, *, connection: str, shown: str) -> None:
    """Raise :class:`PathOutsideConnection` unless :func:`is_inside` holds."""
    if not is_inside(root, candidate):
        raise PathOutsideConnection(
            f"path {shown!r} of connection {connection!r} leads outside its base folder through a "
            f"symlink ({os.path.realpath(candidate)})",
            hint="Point another connection at that folder, or set allow_outside_symlinks: true on "
            f"connection {connection!r} if the symlink is meant to lead elsewhere.",
        )


PROJECT_ESCAPE_MESSAGE = (
    "a relative path must stay inside the project folder; write an absolute path to keep it "
    "elsewhere on purpose"
)
"""Why :func:`escapes_project` refused a path (shared by the reports and state options)."""


def project_relative(value: str) -> str:
    """``value`` if it may be a ``reports.path`` / ``state.path``; a ``ValueError`` (reported by
    the config models with file and line) if it holds a NUL or :func:`escapes_project`."""
    if "\x00" in value:
        raise ValueError("contains a NUL character")
    if escapes_project(value):
        raise ValueError(PROJECT_ESCAPE_MESSAGE)
    return value


def escapes_project(value: str) -> bool:
    """Whether a relative ``reports.path`` / ``state.path`` climbs out of the project folder.

    Absolute paths (and ``~``) are deliberate and allowed; only a relative path that leaves the
    project folder with ``..`` counts.
    """
    expanded = os.path.expanduser(value)
    if os.path.isabs(expanded):
        return False
    normal = posixpath.normpath(expanded.replace("\\", "/")) if expanded else "."
    return normal == ".." or normal.startswith("../")
