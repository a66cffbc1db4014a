"""Entry point of ``odibi-state-azure``: registers the ``azure_blob`` state backend.

Only light kernel modules are imported here; the options model (pydantic) is imported when the
hook is called and the Azure SDK when a backend is built.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from odibi_core.plugins.hookspecs import hookimpl
from odibi_core.plugins.types import StateBackendSpec, StateBuildContext

if TYPE_CHECKING:
    from odibi_state_azure.backend import AzureBlobStateBackend
    from odibi_state_azure.options import AzureBlobStateOptions

ODIBI_PLUGIN_API = "1.0"
"""The odibi plugin API this plugin was built for (checked when odibi-core loads it)."""


BACKEND_NAME = "azure_blob"
"""The YAML ``state.backend`` value this package registers."""


def build_backend(
    options: AzureBlobStateOptions, context: StateBuildContext
) -> AzureBlobStateBackend:
    """Factory of the ``azure_blob`` backend (imports the Azure SDK)."""
    from odibi_state_azure.backend import AzureBlobStateBackend

    return AzureBlobStateBackend.from_options(
        options,
        project=context.project_name,
        run_id=context.run_id,
        lock_timeout=context.lock_timeout,
        history_limit=context.history,
    )


@hookimpl
def odibi_state_backends() -> list[StateBackendSpec]:
    """Register ``azure_blob``."""
    return [
        StateBackendSpec(
            BACKEND_NAME,
            build_backend,
            "odibi_state_azure.options:AzureBlobStateOptions",
            "State in an Azure blob; finite, renewed blob leases as locks",
        )
    ]
