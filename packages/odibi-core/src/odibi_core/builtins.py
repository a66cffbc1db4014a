"""The kernel's builtin plugins, registered through the same hooks as third-party ones."""

from __future__ import annotations

#: ``(plugin name, module)`` pairs registered first by :func:`create_plugin_manager`.
BUILTIN_PLUGINS: tuple[tuple[str, str], ...] = (
    ("builtin-engines", "odibi_core.plugins.builtin_engines"),
    ("builtin-connections", "odibi_core.plugins.builtin_connections"),
    ("builtin-secrets", "odibi_core.plugins.builtin_secrets"),
    ("builtin-executor", "odibi_core.execution.executor_plugin"),
    ("builtin-commands", "odibi_core.cli.builtin_commands"),
    ("builtin-doctor", "odibi_core.doctor.checks_plugin"),
    ("builtin-reports", "odibi_core.reports.plugin"),
)

#: Builtins a user may switch off (``ODIBI_DISABLE_PLUGINS=builtin-reports``) to replace them:
#: the kernel runs without them.
OPTIONAL_BUILTINS: frozenset[str] = frozenset({"builtin-reports"})
