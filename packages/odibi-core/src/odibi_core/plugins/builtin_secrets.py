"""Builtin secret providers: ``env`` and ``dotenv``."""

from __future__ import annotations

from odibi_core.contracts.secrets import SecretProvider
from odibi_core.plugins.hookspecs import hookimpl
from odibi_core.plugins.types import BuildContext, SecretProviderSpec


def _env(context: BuildContext) -> SecretProvider:
    from odibi_core.secrets.env import EnvProvider

    return EnvProvider()


def _dotenv(context: BuildContext) -> SecretProvider:
    from odibi_core.secrets.dotenv import DotenvProvider

    return DotenvProvider(context.project_dir / ".env")


@hookimpl
def odibi_secret_providers() -> list[SecretProviderSpec]:
    """Register ``env`` and ``dotenv``."""
    return [
        SecretProviderSpec("env", _env, "Environment variables"),
        SecretProviderSpec(
            "dotenv", _dotenv, ".env file beside the project (never overrides the environment)"
        ),
    ]
