"""Publishing a staged output on a local file system, and recovering a publish a crash cut short.

A write goes to a staging name beside its target ``T`` (:mod:`odibi_core.files.temp_names`); once
complete it is published:

1. every file and folder of the staging output is fsynced;
2. if ``T`` does not exist, or both are files: ``os.replace(staging, T)``, one atomic step;
3. otherwise (a folder on either side) the two names are **swapped in one atomic step**
   (``renameat2(RENAME_EXCHANGE)`` on Linux); the staging name then holds the old output, which
   is deleted. Where a file system cannot swap, ``T`` is renamed to an aside name, the staging
   output to ``T``, and the aside deleted;
4. ``T``'s folder is fsynced, so the rename survives a power cut.

At every instant ``T`` is the old or the new complete output, except, with the two-rename
fallback only, between its two renames, when ``T`` is missing and the old output sits under its
aside name. :func:`recover_target` (run by the next write of ``T``, before it stages anything) puts
a dead writer's aside back when ``T`` is missing, then deletes every staging and aside name of
``T`` whose writer is dead (:mod:`odibi_core.files.owners`). The owner-tagged names are the
recovery journal: there is nothing else to write, fsync or lose.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import logging
import os
import shutil
import sys
import time
from pathlib import Path

from odibi_core.durability import fsync_dir, fsync_file
from odibi_core.files.fault_points import exchange_disabled, fault_point
from odibi_core.files.owners import owner_alive
from odibi_core.files.temp_names import TempName, aside_name, parse_temp_name

logger = logging.getLogger("odibi.files")

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2
_renameat2: object | None = None


def _exchange_function() -> object | None:
    global _renameat2
    if _renameat2 is None:
        function: object = False
        if sys.platform.startswith("linux"):
            with contextlib.suppress(OSError, AttributeError):
                function = ctypes.CDLL(None, use_errno=True).renameat2
        _renameat2 = function
    return _renameat2 or None


def exchange(first: Path, second: Path) -> bool:
    """Swap the names ``first`` and ``second`` atomically; ``False`` where the system cannot.

    Raises:
        OSError: the system can swap but this swap failed (a name is missing, permissions).
    """
    function = _exchange_function()
    if function is None or exchange_disabled():
        return False
    result = function(
        _AT_FDCWD,
        os.fsencode(first),
        _AT_FDCWD,
        os.fsencode(second),  # type: ignore[operator]
        _RENAME_EXCHANGE,
    )
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV):
        return False
    raise OSError(code, os.strerror(code), str(second))


def fsync_tree(path: Path) -> None:
    """fsync a file, or every file and folder under a folder (symlinks are not followed)."""
    if path.is_dir() and not path.is_symlink():
        for folder, _dirs, files in os.walk(path):
            for name in files:
                fsync_file(Path(folder, name))
            fsync_dir(Path(folder))
    else:
        fsync_file(path)


def remove_path(path: Path) -> None:
    """Delete a file, a symlink (never what it points to) or a folder tree; missing is fine."""
    try:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            os.unlink(path)
    except FileNotFoundError:
        pass


def _real_folder(path: Path) -> bool:
    return path.is_dir() and not path.is_symlink()


def publish_path(staging: Path, target: Path) -> None:
    """Publish the complete output at ``staging`` as ``target`` (see the module docstring)."""
    fsync_tree(staging)
    fault_point("publish.staged")
    parent = target.parent
    if not os.path.lexists(target) or not (_real_folder(staging) or _real_folder(target)):
        os.replace(staging, target)
        fault_point("publish.swapped")
        fsync_dir(parent)
        return
    if exchange(staging, target):
        old = staging
    else:
        old = parent / aside_name(target.name)
        os.rename(target, old)
        try:
            fault_point("publish.aside")
            os.rename(staging, target)
        except BaseException:
            os.rename(old, target)
            raise
    fault_point("publish.swapped")
    fsync_dir(parent)
    try:
        remove_path(old)
    except OSError as exc:  # the new output is in place; the next write of it retries this
        logger.warning("could not delete the previous output %s: %s", old, exc.strerror)


def temp_alive(temp: TempName, age_s: float) -> bool:
    """Whether the writer of ``temp`` may still run. An aside name without an owner (an older
    Odibi's, whose two renames took microseconds) is never live."""
    if temp.owner is None and temp.kind == "aside":
        return False
    return owner_alive(temp.owner, age_s=age_s)


def recover_target(target: Path) -> list[str]:
    """Undo what dead writers left beside ``target``; return the names removed.

    If ``target`` is missing and a dead writer moved the old output aside, that output is renamed
    back first. Names of live writers (a concurrent run) are left alone.
    """
    parent = target.parent
    try:
        names = os.listdir(parent)
    except (FileNotFoundError, NotADirectoryError):
        return []
    now = time.time()
    dead: list[tuple[float, TempName]] = []
    for name in names:
        temp = parse_temp_name(name, target.name)
        if temp is None:
            continue
        try:
            mtime = os.lstat(parent / name).st_mtime
        except FileNotFoundError:
            continue
        if not temp_alive(temp, max(0.0, now - mtime)):
            dead.append((mtime, temp))
    asides = sorted((item for item in dead if item[1].kind == "aside"), key=lambda item: item[0])
    if asides and not os.path.lexists(target):
        restored = asides[-1]
        try:
            os.rename(parent / restored[1].name, target)
            fsync_dir(parent)
            dead.remove(restored)
            logger.warning("restored %s from an interrupted publish", target)
        except OSError:
            pass  # a concurrent run restored it first
    removed: list[str] = []
    for _, temp in dead:
        try:
            remove_path(parent / temp.name)
            removed.append(temp.name)
        except OSError as exc:
            logger.warning(
                "could not delete the abandoned %s: %s", parent / temp.name, exc.strerror
            )
    if removed:
        logger.info("removed %d abandoned temporary output(s) of %s", len(removed), target)
    return removed
