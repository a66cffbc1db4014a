"""The builtin ``local`` connection: files under a folder on this machine."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import Field

from odibi_core.contracts.connection import CheckResult, FileConnection
from odibi_core.files.listing import NoFilesMatch, local_read_files
from odibi_core.files.paths import (
    ensure_folders_possible,
    ensure_inside,
    has_glob,
    relative_path,
    static_prefix,
)
from odibi_core.files.publish import publish_path, recover_target, remove_path
from odibi_core.files.temp_names import is_temp_name, staging_name
from odibi_core.plugins.options import PluginOptions
from odibi_core.plugins.types import BuildContext

if TYPE_CHECKING:
    from odibi_core.contracts.requests import ReadRequest


class LocalOptions(PluginOptions):
    """Options of a ``local`` connection."""

    base_path: str = Field(
        ".", description="Root folder, relative to the project file (not the cwd)."
    )
    allow_outside_symlinks: bool = Field(
        False,
        description="Follow symlinks under `base_path` that lead outside it (refused by default).",
    )


class LocalConnection(FileConnection):
    """Files under ``base_path``; writes are staged beside their target and published atomically
    (:mod:`odibi_core.files.publish`); paths never leave the root
    (:mod:`odibi_core.files.paths`)."""

    type = "local"

    def __init__(self, name: str, root: Path, *, allow_outside_symlinks: bool = False) -> None:
        self.name = name
        self.root = root
        self.allow_outside_symlinks = allow_outside_symlinks

    @classmethod
    def build(cls, options: LocalOptions, context: BuildContext) -> LocalConnection:
        """Factory used by the plugin registration."""
        base = Path(os.path.expanduser(options.base_path))
        root = base if base.is_absolute() else context.project_dir / base
        return cls(
            context.name, root.resolve(), allow_outside_symlinks=options.allow_outside_symlinks
        )

    def _full(self, path: str, *, write: bool = False) -> Path:
        """``root / path`` after the lexical and symlink checks."""
        relative = relative_path(path, connection=self.name, write=write)
        full = self.root / relative if relative else self.root
        if not self.allow_outside_symlinks:
            checked = self.root / static_prefix(relative) if has_glob(relative) else full
            ensure_inside(self.root, checked, connection=self.name, shown=path)
        if write:
            ensure_folders_possible(self.root, full, connection=self.name, shown=path)
        return full

    def check_path(self, path: str, *, write: bool = False) -> None:
        """Lexical rules, then symlinks (unless ``allow_outside_symlinks``)."""
        self._full(path, write=write)

    def resolve(self, path: str) -> str:
        """Absolute path of ``path`` under the root."""
        return str(self._full(path))

    def read_paths(self, path: str) -> list[str]:
        """The files a read covers (see :mod:`odibi_core.files.listing`)."""
        full = self._full(path)
        relative = "" if full == self.root else full.relative_to(self.root).as_posix()
        files = local_read_files(
            self.root,
            relative,
            connection=self.name,
            shown=path,
            allow_outside_symlinks=self.allow_outside_symlinks,
        )
        return [str(f) for f in files]

    def exists(self, path: str) -> bool:
        """Whether ``path`` exists or, as a glob, matches a data file (staging never counts)."""
        full = self._full(path)
        if has_glob(path):
            try:
                return bool(self.read_paths(path))
            except NoFilesMatch:
                return False
        return os.path.lexists(full) and not is_temp_name(full.name)

    def source_fingerprint(self, request: ReadRequest) -> str | None:
        """Size, times and identity of every file ``request.path`` matches
        (see :mod:`odibi_core.connections.file_fingerprint`)."""
        from odibi_core.connections.file_fingerprint import files_fingerprint

        if request.path is None:
            return None
        try:
            files = self.read_paths(request.path)  # the files a read reads, nothing else
        except NoFilesMatch:
            files = []
        return files_fingerprint(files, root=str(self.root))

    def staging_path(self, path: str) -> str:
        """``.<name>.odibi-tmp-<owner>-<random>`` beside the target, after cleaning what dead
        writers of the same target left (so the rename stays on one file system)."""
        target = self._full(path, write=True)
        target.parent.mkdir(parents=True, exist_ok=True)
        self.clean_stale(path)
        return str(target.parent / staging_name(target.name))

    def publish(self, staging: str, path: str) -> None:
        """Atomically replace ``path`` by ``staging`` (a folder is swapped in one step)."""
        target = self._full(path, write=True)
        publish_path(Path(staging), target)

    def discard(self, staging: str) -> None:
        """Remove a failed write's staging file or folder."""
        staged = Path(staging)
        if not is_temp_name(staged.name):
            return  # never anything but a staging location
        remove_path(staged)

    def clean_stale(self, path: str) -> list[str]:
        """Restore an output a killed publish moved aside; delete dead writers' staging names."""
        return recover_target(self._full(path, write=True))

    def check(self) -> CheckResult:
        """The root exists and is readable (it is created on first write otherwise)."""
        if self.root.is_dir():
            writable = os.access(self.root, os.W_OK)
            return CheckResult(True, f"{self.root} exists{'' if writable else ' (read-only)'}")
        return CheckResult(True, f"{self.root} does not exist yet (created on first write)")
