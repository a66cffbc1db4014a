"""The files a read of a local ``path:`` covers.

* a file: that file;
* a folder: every data file under it, recursively (a folder written with ``partition_by`` reads
  back whole, partition columns included);
* a glob (``*``, ``?``, ``[...]``, ``**`` across folders): every match, folders expanded.

Folder listings and glob matches skip hidden names as Spark and Hadoop do (a leading ``.`` or
``_``, except ``_x=1`` partition folders), so staging files of a running or killed write,
``_SUCCESS`` markers and ``.crc`` files are never read; Odibi's staging names are skipped even by a
pattern that asks for hidden names. Symlinked folders inside a folder are not descended into.
Every file returned is checked to stay under the connection's root unless the connection allows
symlinks leading elsewhere.
"""

from __future__ import annotations

import glob
import os
from pathlib import Path

from odibi_core.errors import ExitCode, OdibiError
from odibi_core.files.paths import ensure_inside, has_glob
from odibi_core.files.temp_names import is_hidden_name, is_temp_name


class NoFilesMatch(OdibiError):
    """A glob or folder read found no data files (staging and hidden files do not count)."""

    exit_code = ExitCode.RUN_FAILED
    default_hint = "Check the path and that the files exist; hidden names (., _) are never matched."


def folder_files(folder: Path) -> list[Path]:
    """Data files under ``folder``, sorted, skipping hidden names at every level."""
    found: list[Path] = []
    for current, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not is_hidden_name(d))
        found += (Path(current, f) for f in files if not is_hidden_name(f))
    return sorted(found)


def _matches(root: Path, relative: str) -> list[Path]:
    pattern = os.path.join(glob.escape(str(root)), relative)
    found: list[Path] = []
    for match in glob.glob(pattern, recursive=True):
        below = Path(match).relative_to(root).parts
        if any(is_temp_name(part) for part in below) or is_hidden_name(below[-1] if below else ""):
            continue
        path = Path(match)
        found += folder_files(path) if path.is_dir() else [path]
    return sorted(set(found))


def local_read_files(
    root: Path, relative: str, *, connection: str, shown: str, allow_outside_symlinks: bool
) -> list[Path]:
    """The files a read of ``relative`` (already checked by
    :func:`~odibi_core.files.paths.relative_path`) covers under ``root``.

    A plain path that does not exist comes back as it is, so the engine reports it missing.

    Raises:
        NoFilesMatch: a glob matched nothing, or a folder holds no data files.
        PathOutsideConnection: a file leads outside ``root`` through a symlink.
    """
    full = root / relative if relative else root
    if has_glob(relative):
        files = _matches(root, relative)
        if not files:
            raise NoFilesMatch(f"no file matches {connection}:{shown}")
    elif full.is_dir():
        if not allow_outside_symlinks:
            ensure_inside(root, full, connection=connection, shown=shown)
        files = folder_files(full)
        if not files:
            raise NoFilesMatch(f"folder {connection}:{shown} holds no data files")
    else:
        files = [full]
    if not allow_outside_symlinks:
        for file in files:
            ensure_inside(root, file, connection=connection, shown=shown)
    return files
