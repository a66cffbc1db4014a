"""The builtin ``local`` connection: files under a folder on this machine."""

from __future__ import annotations

import glob
import os
import shutil
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import Field

from odibi_core.contracts.connection import CheckResult, FileConnection
from odibi_core.durability import fsync_dir
from odibi_core.plugins.options import PluginOptions
from odibi_core.plugins.types import BuildContext

if TYPE_CHECKING:
    from odibi_core.contracts.engine import ReadRequest


class LocalOptions(PluginOptions):
    """Options of a ``local`` connection."""

    base_path: str = Field(".", description="Root folder, relative to the project file (not the cwd).")


class LocalConnection(FileConnection):
    """Files under ``base_path``; writes go to a hidden temp name in the same folder, then rename."""

    type = "local"

    def __init__(self, name: str, root: Path) -> None:
        self.name = name
        self.root = root

    @classmethod
    def build(cls, options: LocalOptions, context: BuildContext) -> LocalConnection:
        """Factory used by the plugin registration."""
        base = Path(os.path.expanduser(options.base_path))
        root = base if base.is_absolute() else context.project_dir / base
        return cls(context.name, root.resolve())

    def resolve(self, path: str) -> str:
        """Absolute path of ``path`` under the root (absolute paths are kept)."""
        p = Path(path)
        return str(p if p.is_absolute() else self.root / p)

    def exists(self, path: str) -> bool:
        """True if ``path`` (or any file matching it as a glob) exists."""
        full = self.resolve(path)
        return bool(glob.glob(full)) if any(c in path for c in "*?[") else os.path.exists(full)

    def source_fingerprint(self, request: ReadRequest) -> str | None:
        """Size, times and identity of every file ``request.path`` matches
        (see :mod:`odibi_core.connections.file_fingerprint`)."""
        from odibi_core.connections.file_fingerprint import files_fingerprint

        if request.path is None:
            return None
        return files_fingerprint(self.resolve(request.path), root=str(self.root))

    def staging_path(self, path: str) -> str:
        """``.<name>.odibi-tmp-<random>`` beside the target, so the rename stays on one filesystem."""
        target = Path(self.resolve(path))
        target.parent.mkdir(parents=True, exist_ok=True)
        return str(target.parent / f".{target.name}.odibi-tmp-{uuid.uuid4().hex[:8]}")

    def publish(self, staging: str, path: str) -> None:
        """Atomically move ``staging`` onto ``path`` (a directory target is swapped in two renames)."""
        target = Path(self.resolve(path))
        if os.path.isdir(staging) and target.is_dir():
            old = target.parent / f".{target.name}.odibi-old-{uuid.uuid4().hex[:8]}"
            os.replace(target, old)
            os.replace(staging, target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(staging, target)
        fsync_dir(target.parent)

    def discard(self, staging: str) -> None:
        """Remove a failed write's staging file or folder."""
        if os.path.isdir(staging):
            shutil.rmtree(staging, ignore_errors=True)
        elif os.path.exists(staging):
            os.remove(staging)

    def check(self) -> CheckResult:
        """The root exists and is readable (it is created on first write otherwise)."""
        if self.root.is_dir():
            writable = os.access(self.root, os.W_OK)
            return CheckResult(True, f"{self.root} exists{'' if writable else ' (read-only)'}")
        return CheckResult(True, f"{self.root} does not exist yet (created on first write)")
