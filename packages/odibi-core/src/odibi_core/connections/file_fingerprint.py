"""Source fingerprints of local files: size, times and identity of every matched file.

The marker of a read is a hash over, for every file the read reads (the connection's
``read_paths``: a file, a glob's matches, or every data file under a folder; staging and other
hidden names are never among them), its relative name, size, modification time, change time, device
and inode. Rewriting a file changes its times; replacing it by a rename changes its inode; adding
or removing a matched file changes the list.

Timestamps have a granularity: two writes within one tick of the clock can leave the same
modification time. A file whose modification or change time is less than one tick before the
fingerprint is taken could therefore change again without its marker changing (git calls such
files "racily clean"), so the marker is ``None`` (cannot tell) and the node reruns on the next
``--resume``. The tick is taken as :data:`FINE_TICK_S` on file systems that store sub-second
times and :data:`COARSE_TICK_S` on those that store whole seconds (FAT, some network shares).
"""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

FINE_TICK_S = 0.1
"""Racy window for file systems with sub-second timestamps (their clock ticks every few ms)."""

COARSE_TICK_S = 2.0
"""Racy window for file systems that store whole (or even) seconds."""


def files_fingerprint(
    files: list[str], *, root: str | None = None, now: float | None = None
) -> str | None:
    """The marker of ``files`` (exactly the files a read reads), or ``None`` if one changed too
    recently to tell (see the module docstring). Names are hashed relative to ``root`` when
    given."""
    taken = time.time() if now is None else now
    digest = hashlib.sha256()
    files = sorted(set(files))
    for name in files:
        try:
            stat = os.stat(name)
        except FileNotFoundError:
            return None  # it vanished while we looked: something is changing it
        newest = max(stat.st_mtime_ns, stat.st_ctime_ns) / 1e9
        tick = COARSE_TICK_S if stat.st_mtime_ns % 1_000_000_000 == 0 else FINE_TICK_S
        if taken - newest < tick:
            return None
        label = os.path.relpath(name, root) if root else name
        digest.update(
            f"{Path(label).as_posix()}\t{stat.st_size}\t{stat.st_mtime_ns}\t{stat.st_ctime_ns}\t"
            f"{stat.st_dev}\t{stat.st_ino}\n".encode("utf-8", "surrogateescape")
        )
    return f"files:{len(files)}:{digest.hexdigest()[:32]}"
