"""Odibi state backend ``local``: run state in a JSON file beside the project.

Registers the backend through the ``odibi_state_backends`` hook. This module is the plugin's
entry point, so it imports only light kernel modules; the backend itself is
imported by the factory, when a project actually opens its state.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from odibi_core.plugins.hookspecs import hookimpl
from odibi_core.plugins.types import StateBackendSpec, StateBuildContext

if TYPE_CHECKING:
    from odibi_state_local.backend import LocalStateBackend

ODIBI_PLUGIN_API = "1.0"
"""The odibi plugin API this plugin was built for (checked when odibi-core loads it)."""


__version__ = "0.1.0"

BACKEND_NAME = "local"
"""The YAML ``state.backend`` value this package registers."""


def _make(options: Any, context: StateBuildContext) -> LocalStateBackend:
    from odibi_state_local.backend import LocalStateBackend

    return LocalStateBackend.build(options, context)


@hookimpl
def odibi_state_backends() -> list[StateBackendSpec]:
    """Register the ``local`` state backend."""
    return [StateBackendSpec(
        BACKEND_NAME, _make, "odibi_state_local.options:LocalStateOptions",
        "JSON state file beside the project; OS file locks, atomic writes",
    )]


__all__ = ["BACKEND_NAME", "ODIBI_PLUGIN_API", "__version__", "odibi_state_backends"]
