"""The plugin author's module: everything a plugin imports from Odibi, in one place.

A plugin needs the hook marker, the registration records its hooks return, the contract it
implements, the request types the kernel hands it and the errors it raises. All of them are
importable from here::

    from odibi_core.plugin import (
        BuildContext, CheckResult, ConnectionSpec, PluginOptions, TableConnection, hookimpl,
    )

Names are loaded on first use, so importing this module costs almost nothing and never imports
an engine library (DuckDB, pyarrow, pandas): an entry-point module that imports from here keeps
``odibi --help`` and ``odibi plugins list`` fast.

Everything listed in ``__all__`` is public plugin API and follows the project's stability
promise; a name not listed here (``odibi_core.execution``, ``odibi_core.config`` ...) is the
kernel's own and may change in any release.

Contract test suites are **not** re-exported here: they need pytest, which a plugin's runtime
must not depend on. Import them in your tests from :mod:`odibi_core.testing`
(``odibi_core.testing.engine_contract.EngineContract``,
``odibi_core.testing.state_contract.StateBackendContract`` and the connection and secret provider
suites beside them).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from odibi_core.contracts.connection import (
        CheckResult,
        Connection,
        FileConnection,
        ObjectStoreLocation,
        TableConnection,
    )
    from odibi_core.contracts.engine import CURRENT_FRAME_NAME, Engine, WriteCounts
    from odibi_core.contracts.formats import FormatEnginePath, TableFormat
    from odibi_core.contracts.lifecycle import (
        NODE_STATUSES,
        FinishedRun,
        NodeResult,
        NodeRunContext,
        PipelineRunContext,
        RunResult,
        ValidationOutcome,
    )
    from odibi_core.contracts.requests import WRITE_MODES, ColumnInfo, ReadRequest, WriteRequest
    from odibi_core.contracts.secrets import SecretProvider
    from odibi_core.contracts.state import (
        DEFAULT_HISTORY_LIMIT,
        DEFAULT_LOCK_TIMEOUT,
        STATE_LOCK_NAME,
        DocumentStateBackend,
        HolderInfo,
        LoadedDocument,
        StateBackend,
        lock_timeout_error,
    )
    from odibi_core.contracts.state_document import StateDocument
    from odibi_core.errors import (
        ConfigError,
        EngineError,
        ExitCode,
        LockNotFound,
        OdibiError,
        PluginError,
        SecretMissingError,
        StateConflictError,
        StateCorruptError,
        StateError,
        StateLockHeld,
        StateLockLost,
        StateLockTimeout,
        TransientIOError,
        UsageError,
    )
    from odibi_core.plugins.hookspecs import ENTRY_POINT_GROUP, hookimpl
    from odibi_core.plugins.options import NoOptions, PluginOptions, Secret
    from odibi_core.plugins.types import (
        BuildContext,
        CliCommandSpec,
        ConnectionSpec,
        DoctorCheck,
        DoctorContext,
        EngineSpec,
        FormatSpec,
        SecretProviderSpec,
        StateBackendSpec,
        StateBuildContext,
        TransformerContext,
        TransformerSpec,
        TransformSpec,
        WriteCapabilitySpec,
    )
    from odibi_core.redaction import redact_text, register_secret

_REQUESTS = "odibi_core.contracts.requests"
# Where each public name lives. Resolved lazily by ``__getattr__`` (PEP 562) so that importing the
# facade imports nothing else; mypy and IDEs read the ``TYPE_CHECKING`` block above instead.
_SOURCES: dict[str, str] = {
    # hooks and registration records
    "hookimpl": "odibi_core.plugins.hookspecs",
    "ENTRY_POINT_GROUP": "odibi_core.plugins.hookspecs",
    "BuildContext": "odibi_core.plugins.types",
    "CliCommandSpec": "odibi_core.plugins.types",
    "ConnectionSpec": "odibi_core.plugins.types",
    "DoctorCheck": "odibi_core.plugins.types",
    "DoctorContext": "odibi_core.plugins.types",
    "EngineSpec": "odibi_core.plugins.types",
    "FormatSpec": "odibi_core.plugins.types",
    "SecretProviderSpec": "odibi_core.plugins.types",
    "StateBackendSpec": "odibi_core.plugins.types",
    "StateBuildContext": "odibi_core.plugins.types",
    "TransformSpec": "odibi_core.plugins.types",
    "TransformerContext": "odibi_core.plugins.types",
    "TransformerSpec": "odibi_core.plugins.types",
    "WriteCapabilitySpec": "odibi_core.plugins.types",
    # options models
    "PluginOptions": "odibi_core.plugins.options",
    "NoOptions": "odibi_core.plugins.options",
    "Secret": "odibi_core.plugins.options",
    # contracts: connections
    "CheckResult": "odibi_core.contracts.connection",
    "Connection": "odibi_core.contracts.connection",
    "FileConnection": "odibi_core.contracts.connection",
    "ObjectStoreLocation": "odibi_core.contracts.connection",
    "TableConnection": "odibi_core.contracts.connection",
    # contracts: engines, and the request types connections receive
    "Engine": "odibi_core.contracts.engine",
    "CURRENT_FRAME_NAME": "odibi_core.contracts.engine",
    "WriteCounts": "odibi_core.contracts.engine",
    "ReadRequest": _REQUESTS,
    "WriteRequest": _REQUESTS,
    "ColumnInfo": _REQUESTS,
    "WRITE_MODES": _REQUESTS,
    # contracts: table formats
    "TableFormat": "odibi_core.contracts.formats",
    "FormatEnginePath": "odibi_core.contracts.formats",
    # contracts: state backends
    "StateBackend": "odibi_core.contracts.state",
    "DocumentStateBackend": "odibi_core.contracts.state",
    "HolderInfo": "odibi_core.contracts.state",
    "STATE_LOCK_NAME": "odibi_core.contracts.state",
    "DEFAULT_HISTORY_LIMIT": "odibi_core.contracts.state",
    "DEFAULT_LOCK_TIMEOUT": "odibi_core.contracts.state",
    "LoadedDocument": "odibi_core.contracts.state",
    "lock_timeout_error": "odibi_core.contracts.state",
    "StateDocument": "odibi_core.contracts.state_document",
    # contracts: secret providers
    "SecretProvider": "odibi_core.contracts.secrets",
    # contracts: lifecycle hooks
    "PipelineRunContext": "odibi_core.contracts.lifecycle",
    "FinishedRun": "odibi_core.contracts.lifecycle",
    "NodeRunContext": "odibi_core.contracts.lifecycle",
    "NodeResult": "odibi_core.contracts.lifecycle",
    "RunResult": "odibi_core.contracts.lifecycle",
    "ValidationOutcome": "odibi_core.contracts.lifecycle",
    "NODE_STATUSES": "odibi_core.contracts.lifecycle",
    # redaction: what a plugin registers and what it emits outside the kernel's sinks
    "redact_text": "odibi_core.redaction",
    "register_secret": "odibi_core.redaction",
    # errors
    "ExitCode": "odibi_core.errors",
    "OdibiError": "odibi_core.errors",
    "UsageError": "odibi_core.errors",
    "LockNotFound": "odibi_core.errors",
    "ConfigError": "odibi_core.errors",
    "SecretMissingError": "odibi_core.errors",
    "PluginError": "odibi_core.errors",
    "StateError": "odibi_core.errors",
    "StateCorruptError": "odibi_core.errors",
    "StateConflictError": "odibi_core.errors",
    "StateLockTimeout": "odibi_core.errors",
    "StateLockHeld": "odibi_core.errors",
    "StateLockLost": "odibi_core.errors",
    "EngineError": "odibi_core.errors",
    "TransientIOError": "odibi_core.errors",
}

__all__ = [
    "CURRENT_FRAME_NAME",
    "DEFAULT_HISTORY_LIMIT",
    "DEFAULT_LOCK_TIMEOUT",
    "ENTRY_POINT_GROUP",
    "NODE_STATUSES",
    "STATE_LOCK_NAME",
    "WRITE_MODES",
    "BuildContext",
    "CheckResult",
    "CliCommandSpec",
    "ColumnInfo",
    "ConfigError",
    "Connection",
    "ConnectionSpec",
    "DoctorCheck",
    "DoctorContext",
    "DocumentStateBackend",
    "Engine",
    "EngineError",
    "EngineSpec",
    "ExitCode",
    "FileConnection",
    "FinishedRun",
    "FormatEnginePath",
    "FormatSpec",
    "HolderInfo",
    "LoadedDocument",
    "LockNotFound",
    "NoOptions",
    "NodeResult",
    "NodeRunContext",
    "ObjectStoreLocation",
    "OdibiError",
    "PipelineRunContext",
    "PluginError",
    "PluginOptions",
    "ReadRequest",
    "RunResult",
    "Secret",
    "SecretMissingError",
    "SecretProvider",
    "SecretProviderSpec",
    "StateBackend",
    "StateBackendSpec",
    "StateBuildContext",
    "StateConflictError",
    "StateCorruptError",
    "StateDocument",
    "StateError",
    "StateLockHeld",
    "StateLockLost",
    "StateLockTimeout",
    "TableConnection",
    "TableFormat",
    "TransformSpec",
    "TransformerContext",
    "TransformerSpec",
    "TransientIOError",
    "UsageError",
    "ValidationOutcome",
    "WriteCapabilitySpec",
    "WriteCounts",
    "WriteRequest",
    "hookimpl",
    "lock_timeout_error",
    "redact_text",
    "register_secret",
]


def __getattr__(name: str) -> Any:
    source = _SOURCES.get(name)
    if source is None:
        raise AttributeError(f"module 'odibi_core.plugin' has no attribute {name!r}")
    value = getattr(importlib.import_module(source), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
