"""The ``local`` state backend: one JSON file, written atomically under a sidecar lock.

Reads take no lock: the file is only ever replaced whole
(:func:`~odibi_state_local.atomic.atomic_write`),
so a reader opens either the old or the new version. Every write is a read-modify-write under the
``state`` lock (see :class:`~odibi_core.contracts.state.DocumentStateBackend`), and refuses to go
on if the file changed identity since it was read under that lock (someone wrote without the
lock). A torn, unparseable or foreign file is refused with an error naming it, and left in place.
"""

from __future__ import annotations

import contextlib
import os
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from odibi_core.contracts.state import (
    DEFAULT_HISTORY_LIMIT,
    DEFAULT_LOCK_TIMEOUT,
    DocumentStateBackend,
    HolderInfo,
    LoadedDocument,
)
from odibi_core.errors import StateConflictError, StateError
from odibi_core.plugins.types import StateBuildContext

from odibi_state_local.atomic import atomic_write, leftover_temps
from odibi_state_local.locks import SidecarLocks
from odibi_state_local.options import LocalStateOptions

FileIdentity = tuple[int, int, int, int]
"""``(device, inode, size, mtime_ns)`` of the state file as it was read."""


def resolve_state_path(options: LocalStateOptions, project_dir: Path) -> Path:
    """The state file of a project: ``path`` relative to the project file's folder, ``~``
    expanded."""
    path = Path(os.path.expanduser(options.path))
    return (path if path.is_absolute() else project_dir / path).absolute()


class LocalStateBackend(DocumentStateBackend):
    """Run state in a local JSON file (``.odibi/state.json`` beside the project file by default).

    Args:
        path: The state file (its folder is created on the first write or lock).
        project: Project name stored in a new document.
        run_id: Run id recorded as the holder of locks this instance takes.
        lock_timeout: Default seconds to wait for the state lock in :meth:`update`.
        history_limit: Runs kept per pipeline.
    """

    name = "local"
    """Display name (the YAML ``state.backend`` value)."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        project: str | None = None,
        run_id: str | None = None,
        lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
        history_limit: int = DEFAULT_HISTORY_LIMIT,
    ) -> None:
        super().__init__(
            project=project, history_limit=history_limit, lock_timeout=lock_timeout, run_id=run_id
        )
        self.path = Path(path)
        self.locks = SidecarLocks(self.path)

    @classmethod
    def build(cls, options: LocalStateOptions, context: StateBuildContext) -> LocalStateBackend:
        """Factory used by the plugin registration (the kernel's settings come in ``context``)."""
        return cls(
            resolve_state_path(options, context.project_dir),
            project=context.project_name,
            run_id=context.run_id,
            lock_timeout=context.lock_timeout,
            history_limit=context.history,
        )

    @property
    def location(self) -> str:
        """The state file's absolute path."""
        return str(self.path)

    def pipeline_backend(self, pipeline: str) -> LocalStateBackend:
        """The document of ``pipeline`` alone: ``<state file stem>.pipelines/<pipeline>.json``
        beside the state file, with its own sidecar locks (see
        :mod:`odibi_core.state.pipeline_documents`)."""
        path = self.path.parent / f"{self.path.stem}.pipelines" / f"{pipeline}.json"
        return LocalStateBackend(
            path,
            project=self.project,
            run_id=self.run_id,
            lock_timeout=self.lock_timeout,
            history_limit=self.history_limit,
        )

    # --- storage primitives --------------------------------------------------------------

    def load_document(self) -> LoadedDocument:
        """The file's bytes and its identity (device, inode, size, mtime) as the token."""
        try:
            with open(self.path, "rb") as handle:
                stat = os.fstat(handle.fileno())
                data = handle.read()
        except FileNotFoundError:
            return LoadedDocument(None, None)
        except OSError as exc:
            raise StateError(f"cannot read state at {self.location}: {exc.strerror}") from None
        return LoadedDocument(data, (stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns))

    def store_document(self, data: bytes, token: Any) -> None:
        """Replace the file atomically (:func:`~odibi_state_local.atomic.atomic_write`) unless its
        identity changed since :meth:`load_document` (``StateConflictError``)."""
        if _identity(self.path) != token:
            raise StateConflictError(
                f"state at {self.location} was changed by a writer that did not hold the "
                "state lock "
                "while this update was being prepared; nothing was written",
                hint="Only Odibi should write the state file; rerun once the other writer is gone.",
            )
        for temp in leftover_temps(self.path):  # from writers killed mid-write; we hold the lock
            with contextlib.suppress(OSError):
                temp.unlink()
        try:
            atomic_write(self.path, data)
        except OSError as exc:
            raise StateError(
                f"cannot write state at {self.location}: {exc.strerror}; the previous "
                "version is intact"
            ) from None

    # --- locks ---------------------------------------------------------------------------

    def lock(
        self, name: str, *, timeout: float, run_id: str | None = None
    ) -> AbstractContextManager[HolderInfo]:
        """Hold lock ``name`` (an OS lock on a sidecar file); see
        :meth:`odibi_core.contracts.state.StateBackend.lock`."""
        return self.locks.hold(
            name,
            timeout=timeout,
            run_id=run_id or self.run_id,
            location=self.location,
            backend=self.name,
        )

    def holders(self) -> list[HolderInfo]:
        """Locks currently held by live processes."""
        return self.locks.holders()

    def force_unlock(self, lock_id: str) -> HolderInfo:
        """Clear a dead holder's record; a live holder cannot be unlocked (``StateLockHeld``)."""
        return self.locks.force_unlock(lock_id, location=self.location)


def _identity(path: Path) -> FileIdentity | None:
    try:
        stat = os.stat(path)
    except FileNotFoundError:
        return None
    return (stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns)
