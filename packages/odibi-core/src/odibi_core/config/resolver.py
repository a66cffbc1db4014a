"""Where reference values come from: the environment, the project's ``.env``, the provider chain.

* ``${env:NAME}`` and ``${NAME}``: the process environment, then ``.env`` beside the project file.
* ``${secret:NAME}``: each provider of ``secrets.providers`` in order (default ``[env, dotenv]``);
  the first one that has the name wins.

Used by the loader (``odibi run``, ``validate``, ...) and by ``odibi secrets validate``, so both
resolve exactly alike.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from odibi_core.redaction import register_secret
from odibi_core.redaction.patterns import is_sensitive_key

if TYPE_CHECKING:
    from odibi_core.config.source import ProjectSource
    from odibi_core.plugins.manager import OdibiPluginManager

DEFAULT_PROVIDERS = ("env", "dotenv")
"""The provider chain when ``secrets.providers`` is not set."""


def provider_names(source: ProjectSource) -> list[str]:
    """The configured provider chain (after the environment overlay)."""
    section = source.data.get("secrets")
    names = section.get("providers") if isinstance(section, dict) else None
    return [str(n) for n in names] if isinstance(names, list) and names else list(DEFAULT_PROVIDERS)


class ReferenceResolver:
    """Resolves references of one project source; registers what must be redacted.

    Args:
        source: The parsed project.
        pm: Plugin manager providing secret providers (``None``: builtins ``env`` and ``dotenv``
            only).
    """

    def __init__(self, source: ProjectSource, pm: OdibiPluginManager | None = None) -> None:
        self.source = source
        self.provider_names = provider_names(source)
        self.providers = [(name, _build_provider(name, source, pm)) for name in self.provider_names]

    def resolve(self, kind: str, name: str) -> tuple[str | None, str | None]:
        """``(value, origin)`` of a reference; ``(None, None)`` if nothing has it.

        ``origin`` names where the value came from: ``env``, ``dotenv`` (the ``.env`` file) or
        the name of the secret provider that had it.
        """
        if kind == "env":
            if name in os.environ:
                return os.environ[name], "env"
            from odibi_core.secrets.dotenv import read_dotenv

            value = read_dotenv(self.source.project_dir / ".env").get(name)
            return (value, "dotenv") if value is not None else (None, None)
        for provider_name, provider in self.providers:
            value = provider.get(name)
            if value is not None:
                return value, provider_name
        return None, None

    def lookup(self, kind: str, name: str) -> str | None:
        """The value of a reference, or ``None``."""
        return self.resolve(kind, name)[0]

    @staticmethod
    def register(kind: str, name: str, value: str) -> None:
        """Register a resolved value for redaction if it is a secret or an env var named like
        one."""
        if kind == "secret" or is_sensitive_key(name):
            register_secret(
                value, source=f"{'secret' if kind == 'secret' else 'environment variable'} {name}"
            )


def _build_provider(name: str, source: ProjectSource, pm: OdibiPluginManager | None) -> Any:
    from odibi_core.plugins.types import BuildContext

    if pm is None:
        from odibi_core.secrets.dotenv import DotenvProvider
        from odibi_core.secrets.env import EnvProvider

        if name == "env":
            return EnvProvider()
        if name == "dotenv":
            return DotenvProvider(source.project_dir / ".env")
        from odibi_core.errors import PluginError

        raise PluginError(f"secret provider {name!r} needs its plugin (no plugin manager given)")
    ctx = BuildContext(
        name="secrets",
        project_dir=source.project_dir,
        project_name=str(source.data.get("project", "")),
    )
    return pm.secret_provider(name).factory(ctx)
