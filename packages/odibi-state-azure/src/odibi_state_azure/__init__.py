"""Odibi state backend ``azure_blob``: run state in an Azure blob, locked by blob leases.

Locks are *finite* blob leases (15-60 s) renewed by a background thread, so a crashed holder's
lock frees itself; holder info sits in blob metadata; every state write carries the lease id and
the ETag it read. The Azure SDK is imported only when a backend is built, so ``odibi --help``
stays fast. See :class:`odibi_state_azure.backend.AzureBlobStateBackend`.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
