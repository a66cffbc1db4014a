"""The secret-provider contract: look a name up, or say you do not have it."""

from __future__ import annotations

from typing import Protocol, runtime_checkable


@runtime_checkable
class SecretProvider(Protocol):
    """Resolves ``${secret:NAME}`` references. Providers are tried in ``secrets.providers`` order.

    Implementations return ``None`` for an unknown name (the next provider is tried) and raise only
    when the store itself is unusable. They must never log a value.
    """

    name: str

    def get(self, name: str) -> str | None:
        """The value of secret ``name``, or ``None`` if this provider does not have it."""
        ...
