"""Crash-safe replacement of a small file: temp file, fsync, ``os.replace``, fsync of the folder.

A reader (or a process that starts after a crash at any instant) sees either the old bytes or
the new bytes, never a mix: ``os.replace`` swaps the name in one step, the data was already on
disk before the swap, and the folder's fsync makes the swap itself durable.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from pathlib import Path

from odibi_core.durability import fsync_dir

TEMP_MARKER = ".tmp-"


def temp_name(path: Path) -> Path:
    """A fresh hidden temp path beside ``path`` (same folder, so the rename is atomic)."""
    return path.parent / f".{path.name}{TEMP_MARKER}{uuid.uuid4().hex[:12]}"


def leftover_temps(path: Path) -> list[Path]:
    """Temp files of writers of ``path`` that died before renaming (safe to delete under the
    lock)."""
    return sorted(path.parent.glob(f".{path.name}{TEMP_MARKER}*"))


def atomic_write(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` atomically and durably (see the module docstring)."""
    temp = temp_name(path)
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    fsync_dir(path.parent)
