"""The ``env`` secret provider: ``${secret:NAME}`` from the process environment."""

from __future__ import annotations

import os


class EnvProvider:
    """Reads secrets from environment variables of the same name."""

    name = "env"

    def get(self, name: str) -> str | None:
        """The variable's value, or ``None`` if unset."""
        return os.environ.get(name)
