"""One process-wide redaction registry and every sink that applies it.

Public API (plugins use it for anything they emit: telemetry attributes, error events, files)::

    from odibi_core.redaction import register_secret, redact_text, redact_value

    register_secret(token, source="my-plugin token")
    safe = redact_text(message)
"""

from __future__ import annotations

from odibi_core.redaction.registry import (
    MASK,
    MIN_SECRET_LENGTH,
    REDACTION_FAILED,
    RedactionRegistry,
    get_registry,
    is_sensitive_key,
    redact_text,
    redact_value,
    register_config_values,
    register_secret,
    reset_registry,
)

__all__ = [
    "MASK",
    "MIN_SECRET_LENGTH",
    "REDACTION_FAILED",
    "RedactionRegistry",
    "get_registry",
    "is_sensitive_key",
    "redact_text",
    "redact_value",
    "register_config_values",
    "register_secret",
    "reset_registry",
]
