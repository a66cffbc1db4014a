"""Errors of the ``azure_blob`` backend (all in the kernel's error tree, with exit codes).

:class:`~odibi_core.errors.StateLockLost` is the kernel's (every backend whose locks can be lost
raises it); it is re-exported here for the backend's own code.
"""

from __future__ import annotations

from odibi_core.errors import LockNotFound, StateError, StateLockLost


class StateStoreError(StateError):
    """The storage service refused or could not be reached (credentials, network, permissions)."""

    default_hint = (
        "Check the state section's account, container and credentials; `odibi doctor` probes them."
    )


class LockNotHeld(LockNotFound):
    """``force_unlock`` was given a lock id (or name) that no current lease matches (exit 2)."""

    default_hint = (
        "`odibi state show` lists the locks held now; an expired lease needs no unlocking."
    )


__all__ = ["LockNotHeld", "StateLockLost", "StateStoreError"]
