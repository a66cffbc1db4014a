"""Errors of the ``azure_blob`` backend (all in the kernel's error tree, with exit codes)."""

from __future__ import annotations

from odibi_core.plugin import LockNotFound, StateConflictError, StateError


class StateLockLost(StateConflictError):
    """A lease this run held was broken or expired unrenewed: writes stopped, nothing written."""

    default_hint = (
        "Another run may hold the lock now; check `odibi state show`, then rerun this pipeline."
    )


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
