"""One process-wide redaction registry, applied by every Odibi output.

The public API for plugins is three functions (use them for anything you emit: telemetry
attributes, exception events, files, messages)::

    from odibi_core.redaction import register_secret, redact_text, redact_value

    register_secret(token, source="my-plugin token")   # mask it everywhere, from now on
    span.set_attribute("db.statement", redact_text(sql))
    span.set_attributes(redact_value({"url": url, "password": password}))

plus :class:`~odibi_core.redaction.secret.Secret` for credential fields of config models
(also importable from :mod:`odibi_core.plugins.options`), and :func:`is_sensitive_key`. To
shorten or reflow text that may hold a secret, use :mod:`odibi_core.redaction.shorten`: it
redacts first and cuts afterwards.

What gets masked: every registered value in every form it may take (URL-quoted, JSON-,
``repr``- and SQL-escaped, base64, also inside longer base64 blobs, and with its whitespace
changed), longest first; every piece of 8 or more characters of one at a cut (the ends of a
text, beside ``...`` or ``…``); values under sensitive key names; and credentials recognisable
by their shape (URL passwords, ``sig=``, ``AccountKey=``, ``Password=``, ``PWD=``, bearer
tokens, private-key blocks). Values shorter than :data:`MIN_SECRET_LENGTH` are not registered
(one warning). A match is replaced by :func:`current_mask` (``[REDACTED]`` unless
``ODIBI_REDACTION_MASK`` or the project's ``secrets.mask`` says otherwise). If redaction itself
fails the output is :data:`REDACTION_FAILED`, never the raw text.

``get_registry``, ``reset_registry`` and ``register_config_values`` serve the kernel and tests.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from odibi_core.redaction.mask import DEFAULT_MASK, current_mask
from odibi_core.redaction.registry import (
    MASK,
    MIN_SECRET_LENGTH,
    REDACTION_FAILED,
    RedactionRegistry,
    get_registry,
    is_sensitive_key,
    redact_lines,
    redact_text,
    redact_value,
    register_config_values,
    register_secret,
    reset_registry,
)

if TYPE_CHECKING:
    from odibi_core.redaction.secret import Secret

__all__ = [
    "DEFAULT_MASK",
    "MASK",
    "MIN_SECRET_LENGTH",
    "REDACTION_FAILED",
    "RedactionRegistry",
    "Secret",
    "current_mask",
    "get_registry",
    "is_sensitive_key",
    "redact_lines",
    "redact_text",
    "redact_value",
    "register_config_values",
    "register_secret",
    "reset_registry",
]


def __getattr__(name: str) -> Any:
    # Secret needs pydantic; imported on first use so plain redaction stays light.
    if name == "Secret":
        from odibi_core.redaction.secret import Secret

        return Secret
    raise AttributeError(f"module 'odibi_core.redaction' has no attribute {name!r}")
