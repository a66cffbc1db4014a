"""Which process owns a staging file, and whether that process still lives.

Every temporary name Odibi writes beside an output carries an owner token: a hash of the host
name, a hash of the boot id, the process id and the process's start time. A later run decides from
the token alone whether the writer is gone:

* same host and boot, no process with that id, or one that started at another time (the id was
  reused), or a zombie: **dead**;
* same host, another boot (the machine restarted since): **dead**;
* another host (a shared folder): alive until the name is :data:`FOREIGN_GRACE_S` old, since
  this machine cannot see that host's processes;
* a name without a token (written by an older Odibi): alive until :data:`LEGACY_GRACE_S` old.
"""

from __future__ import annotations

import hashlib
import os
import re
import socket
import sys
from dataclasses import dataclass

FOREIGN_GRACE_S = 24 * 3600.0
"""Age after which a temporary name written by another host counts as abandoned."""

LEGACY_GRACE_S = 3600.0
"""Age after which a temporary name without an owner token counts as abandoned."""

_TOKEN = re.compile(r"^([0-9a-f]{8})([0-9a-f]{4})-(\d+)-(\d+)$")


@dataclass(frozen=True)
class Owner:
    """The process that wrote a temporary name.

    Attributes:
        host: 8 hex digits of the host name's SHA-256.
        boot: 4 hex digits of the boot id's SHA-256 (``0000`` where there is none).
        pid: Process id.
        start: Process start time in clock ticks since boot (``0`` where unknown).
    """

    host: str
    boot: str
    pid: int
    start: int

    @property
    def token(self) -> str:
        """``<host><boot>-<pid>-<start>``, the form used in names."""
        return f"{self.host}{self.boot}-{self.pid}-{self.start}"

    @classmethod
    def parse(cls, token: str) -> Owner | None:
        """The owner a token names, or ``None`` if it is not one."""
        match = _TOKEN.match(token)
        if match is None:
            return None
        host, boot, pid, start = match.groups()
        return cls(host, boot, int(pid), int(start))


def _digest(text: str, size: int) -> str:
    return hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()[:size]


def _boot_id() -> str:
    try:
        with open("/proc/sys/kernel/random/boot_id", encoding="ascii") as handle:
            return handle.read().strip()
    except OSError:
        return ""


def _proc_stat(pid: int) -> tuple[str, int] | None:
    """``(state, start ticks)`` of process ``pid`` from ``/proc``; ``None`` if there is none."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as handle:
            text = handle.read()
    except OSError:
        return None
    fields = text.rsplit(")", 1)[-1].split()  # the command name may hold spaces and parentheses
    try:
        return fields[0], int(fields[19])
    except (IndexError, ValueError):
        return None


_HAS_PROC = sys.platform.startswith("linux") and os.path.exists("/proc/self/stat")
_current: tuple[int, Owner] | None = None


def current_owner() -> Owner:
    """The owner token of this process (recomputed after a fork)."""
    global _current
    pid = os.getpid()
    if _current is None or _current[0] != pid:
        boot = _boot_id()
        stat = _proc_stat(pid) if _HAS_PROC else None
        owner = Owner(
            _digest(socket.gethostname(), 8),
            _digest(boot, 4) if boot else "0000",
            pid,
            stat[1] if stat else 0,
        )
        _current = (pid, owner)
    return _current[1]


def owner_alive(owner: Owner | None, *, age_s: float) -> bool:
    """Whether the writer of a temporary name may still be running (see the module docstring).

    Args:
        owner: The name's owner (``None``: the name carries no token).
        age_s: Seconds since the name was last modified.
    """
    if owner is None:
        return age_s < LEGACY_GRACE_S
    me = current_owner()
    if owner.host != me.host:
        return age_s < FOREIGN_GRACE_S
    if owner.boot != me.boot:
        return False
    if owner.pid == me.pid:
        return owner.start == me.start
    if _HAS_PROC:
        stat = _proc_stat(owner.pid)
        return stat is not None and stat[0] != "Z" and (owner.start == 0 or stat[1] == owner.start)
    if os.name == "posix":
        try:
            os.kill(owner.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True
    return age_s < FOREIGN_GRACE_S  # no cheap, safe way to probe another process here
