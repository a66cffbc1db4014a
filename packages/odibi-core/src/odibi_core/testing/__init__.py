"""Testing support for Odibi and its plugin authors (install ``odibi-core[testing]``).

* :mod:`odibi_core.testing.fixtures` - pytest fixtures and options, auto-loaded through the
  ``pytest11`` entry point: ``make_plugin_manager``, ``clean_redaction``, ``write_project``,
  ``--odibi-service``.
* :mod:`odibi_core.testing.services` - where the test services are (environment, options, a file).
* :mod:`odibi_core.testing.cli` - run ``odibi`` as a subprocess.
* Contract suites every implementation subclasses: ``odibi_core.testing.connection_contract``
  (``FileConnectionContractTests``, ``TableConnectionContractTests``),
  ``odibi_core.testing.secret_contract`` (``SecretProviderContractTests``),
  ``odibi_core.testing.state_contract`` (state backends, with the opt-in ``LeaseExpiryTests`` and
  ``LostLockTests`` of ``odibi_core.testing.state_contract_leases``) and
  ``odibi_core.testing.engine_contract`` (engines). The three first are importable from here too
  (imported on first use).
"""

from __future__ import annotations

from typing import Any

_LAZY = {
    "FileConnectionContractTests": "odibi_core.testing.connection_contract",
    "TableConnectionContractTests": "odibi_core.testing.connection_contract",
    "SecretProviderContractTests": "odibi_core.testing.secret_contract",
}


def __getattr__(name: str) -> Any:
    """Import a contract suite on first use (they import pytest and hypothesis)."""
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "FileConnectionContractTests",
    "SecretProviderContractTests",
    "TableConnectionContractTests",
]
