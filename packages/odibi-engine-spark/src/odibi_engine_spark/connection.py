"""The ``hadoop`` connection: files under any Hadoop-compatible URI, for the spark engine.

``base_uri`` may be ``hdfs://namenode/lake``, ``abfss://container@account.dfs.core.windows.net/lake``,
``s3a://bucket/lake``, ``dbfs:/lake`` or ``file:///data/lake``: whatever the Spark cluster's Hadoop
configuration can open. Spark reads and writes the files; this connection checks paths, lists
globs and publishes a finished write, through the FileSystem API of the running SparkSession.
Credentials belong to the cluster's configuration (or ``engine_options.conf``), never here.

Paths are relative to ``base_uri`` and never leave it (:mod:`odibi_core.files.paths`; a full URI in
``path:`` is refused). A write is staged under an owner-tagged name beside its target and published
by two renames (Hadoop file systems cannot swap two names): the old output is moved to an aside
name, the new one renamed onto the target, the aside deleted. :meth:`HadoopConnection.clean_stale`
(run before every write of the target) puts back an aside a killed writer left while the target is
missing and deletes every staging and aside name of the target whose writer is dead.
"""

from __future__ import annotations

import hashlib
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from odibi_core.files.fault_points import fault_point
from odibi_core.files.listing import NoFilesMatch
from odibi_core.files.paths import ensure_inside, has_glob, relative_path, static_prefix
from odibi_core.files.publish import temp_alive
from odibi_core.files.temp_names import (
    aside_name,
    is_hidden_name,
    is_temp_name,
    parse_temp_name,
    staging_name,
)
from odibi_core.plugin import BuildContext, CheckResult, FileConnection, OdibiError

from odibi_engine_spark.errors import SparkEngineError
from odibi_engine_spark.options import HadoopOptions

if TYPE_CHECKING:
    from odibi_core.contracts.requests import ReadRequest

RACY_WINDOW_S = 1.0
"""A fingerprint is ``None`` while the newest matched file is younger than this (Hadoop file
systems keep modification times in milliseconds, some coarser)."""


class HadoopConnection(FileConnection):
    """See the module docstring."""

    type = "hadoop"

    def __init__(self, name: str, base_uri: str, *, allow_outside_symlinks: bool = False) -> None:
        self.name = name
        self.base_uri = base_uri.rstrip("/")
        self.allow_outside_symlinks = allow_outside_symlinks

    @classmethod
    def build(cls, options: HadoopOptions, context: BuildContext) -> HadoopConnection:
        """Factory used by the plugin registration."""
        return cls(
            context.name, options.base_uri, allow_outside_symlinks=options.allow_outside_symlinks
        )

    def _fs(self, uri: str) -> tuple[Any, Any]:
        from odibi_engine_spark.session import running_session

        session = running_session()
        if session is None:
            raise HadoopUnavailable(
                f"connection {self.name!r} (type hadoop) needs a running SparkSession"
            )
        jvm: Any = session.sparkContext._jvm
        path = jvm.org.apache.hadoop.fs.Path(uri)
        return path.getFileSystem(session.sparkContext._jsc.hadoopConfiguration()), path

    def _local_root(self) -> Path | None:
        """The folder of a ``file:`` base URI (where symlinks can be checked)."""
        parsed = urlparse(self.base_uri)
        return Path(parsed.path or "/") if parsed.scheme == "file" else None

    def _relative(self, path: str, *, write: bool = False) -> str:
        relative = relative_path(path, connection=self.name, write=write)
        root = self._local_root()
        if root is not None and not self.allow_outside_symlinks:
            inside = static_prefix(relative) if has_glob(relative) else relative
            ensure_inside(root, root / inside if inside else root, connection=self.name, shown=path)
        return relative

    def check_path(self, path: str, *, write: bool = False) -> None:
        """Lexical rules; for a ``file:`` base URI, symlinks too."""
        self._relative(path, write=write)

    def resolve(self, path: str) -> str:
        """``base_uri/path``."""
        relative = self._relative(path)
        return f"{self.base_uri}/{relative}" if relative else self.base_uri

    def read_paths(self, path: str) -> list[str]:
        """A glob's matches (hidden and staging names skipped); otherwise the path itself (Spark
        lists a folder and skips hidden names on its own)."""
        relative = self._relative(path)
        uri = self.resolve(path)
        if not has_glob(relative):
            return [uri]
        fs, pattern = self._fs(uri)
        found = [status.getPath().toString() for status in (fs.globStatus(pattern) or [])]
        depth = len(relative.split("/"))
        kept = []
        for match in sorted(found):
            below = match.rstrip("/").split("/")[-depth:]
            if not any(is_temp_name(part) for part in below) and not is_hidden_name(below[-1]):
                kept.append(match)
        if not kept:
            raise NoFilesMatch(f"no file matches {self.name}:{path}")
        root = self._local_root()
        if root is not None and not self.allow_outside_symlinks:
            for match in kept:
                ensure_inside(root, Path(urlparse(match).path), connection=self.name, shown=path)
        return kept

    def exists(self, path: str) -> bool:
        """Whether anything exists at ``path`` (a glob matches at least one data file)."""
        if has_glob(self._relative(path)):
            try:
                return bool(self.read_paths(path))
            except NoFilesMatch:
                return False
        fs, target = self._fs(self.resolve(path))
        return bool(fs.exists(target))

    def source_fingerprint(self, request: ReadRequest) -> str | None:
        """Name, length and modification time of every data file ``request.path`` covers (a
        file, a glob's matches, the files under a folder; hidden and staging names skipped),
        hashed; ``None`` while a file is younger than :data:`RACY_WINDOW_S` (a second change
        within one timestamp tick could keep the marker)."""
        if request.path is None:
            return None
        relative = self._relative(request.path)
        uri = self.resolve(request.path)
        fs, target = self._fs(uri)
        if has_glob(relative):
            statuses = list(fs.globStatus(target) or [])
        elif fs.exists(target):
            statuses = [fs.getFileStatus(target)]
        else:
            statuses = []
        files: list[tuple[str, int, int]] = []
        while statuses:
            status = statuses.pop()
            name = status.getPath().getName()
            if is_hidden_name(name) or is_temp_name(name):
                continue
            if status.isDirectory():
                statuses.extend(fs.listStatus(status.getPath()))
            else:
                path = status.getPath().toString()
                files.append((path, status.getLen(), status.getModificationTime()))
        newest = max((modified for _, _, modified in files), default=0) / 1000
        if time.time() - newest < RACY_WINDOW_S:
            return None
        digest = hashlib.sha256()
        for name, length, modified in sorted(files):
            digest.update(f"{name.removeprefix(self.base_uri)}\t{length}\t{modified}\n".encode())
        return f"hadoop:{len(files)}:{digest.hexdigest()[:32]}"

    def _target(self, path: str) -> tuple[str, str, str]:
        """``(target URI, parent URI, name)`` of a write target."""
        relative = self._relative(path, write=True)
        uri = f"{self.base_uri}/{relative}"
        parent, _, name = uri.rpartition("/")
        return uri, parent, name

    def staging_path(self, path: str) -> str:
        """An owner-tagged hidden sibling of the target (same file system, so the rename is cheap),
        after cleaning what dead writers of the same target left."""
        _, parent, name = self._target(path)
        self.clean_stale(path)
        return f"{parent}/{staging_name(name)}"

    def publish(self, staging: str, path: str) -> None:
        """Rename ``staging`` onto the target; an old target is moved aside first, deleted after."""
        uri, parent, name = self._target(path)
        fs, target = self._fs(uri)
        _, source = self._fs(staging)
        old = None
        if fs.exists(target):
            _, old = self._fs(f"{parent}/{aside_name(name)}")
            if not fs.rename(target, old):
                raise SparkEngineError(f"could not move the old {self.name}:{path} aside")
            fault_point("publish.aside")
        else:
            fs.mkdirs(target.getParent())
        if not fs.rename(source, target):
            if old is not None:
                fs.rename(old, target)
            raise SparkEngineError(f"could not publish {self.name}:{path}")
        fault_point("publish.swapped")
        if old is not None:
            fs.delete(old, True)

    def discard(self, staging: str) -> None:
        """Delete a failed write's staging file or folder (nothing else)."""
        if is_temp_name(staging.rstrip("/").rpartition("/")[2]):
            fs, target = self._fs(staging)
            fs.delete(target, True)

    def clean_stale(self, path: str) -> list[str]:
        """Put back an aside a killed writer left while the target is missing; delete every
        staging and aside name of the target whose writer is dead."""
        uri, parent, name = self._target(path)
        fs, parent_path = self._fs(parent)
        if not fs.exists(parent_path):
            return []
        now_ms = time.time() * 1000
        dead: list[tuple[int, Any, str]] = []
        for status in fs.listStatus(parent_path):
            entry = status.getPath()
            temp = parse_temp_name(entry.getName(), name)
            age_s = max(0.0, (now_ms - status.getModificationTime()) / 1000)
            if temp is not None and not temp_alive(temp, age_s):
                dead.append((status.getModificationTime(), entry, temp.kind))
        _, target = self._fs(uri)
        asides = sorted((d for d in dead if d[2] == "aside"), key=lambda d: d[0])
        if asides and not fs.exists(target) and fs.rename(asides[-1][1], target):
            dead.remove(asides[-1])
        removed = []
        for _, entry, _kind in dead:
            fs.delete(entry, True)
            removed.append(entry.getName())
        return removed

    def check(self) -> CheckResult:
        """The root is listed when a SparkSession runs; otherwise only its form is checked."""
        try:
            fs, root = self._fs(self.base_uri)
        except HadoopUnavailable:
            return CheckResult(True, f"{self.base_uri} (checked when the spark engine runs)")
        return CheckResult(
            True, f"{self.base_uri} {'exists' if fs.exists(root) else 'does not exist yet'}"
        )


class HadoopUnavailable(OdibiError):
    """A ``hadoop`` connection was used without a running SparkSession."""

    exit_code = SparkEngineError.exit_code
    default_hint = "Use engine: spark with hadoop connections."
