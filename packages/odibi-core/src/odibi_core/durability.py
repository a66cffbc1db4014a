"""Making writes durable: fsync of a file's data, and of the folder that holds a rename."""

from __future__ import annotations

import os
from pathlib import Path


def _fsync(path: Path) -> None:
    """fsync ``path`` opened read-only (no-op where the platform or file system refuses)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some platforms and filesystems cannot fsync a folder
    finally:
        os.close(fd)


def fsync_dir(folder: Path) -> None:
    """fsync a folder so a rename inside it survives a power cut (no-op where unsupported)."""
    _fsync(folder)


def fsync_file(path: Path) -> None:
    """fsync a file written by someone else (an engine's ``COPY``) before it is published."""
    _fsync(path)
