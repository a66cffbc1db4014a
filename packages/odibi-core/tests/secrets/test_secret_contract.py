"""The builtin ``env`` and ``dotenv`` secret providers pass the secret provider contract suite."""

from __future__ import annotations

from pathlib import Path

import pytest
from odibi_core.testing.secret_contract import SecretProviderContractTests, StoreSecret

DOTENV_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def dotenv_line(name: str, value: str) -> str:
    """``NAME="value"`` with the escapes the dotenv provider documents."""
    return f'{name}="' + "".join(DOTENV_ESCAPES.get(c, c) for c in value) + '"\n'


class TestEnvProviderContract(SecretProviderContractTests):
    """Secrets from environment variables."""

    provider_name = "env"

    @pytest.fixture
    def store_secret(self, monkeypatch: pytest.MonkeyPatch) -> StoreSecret:
        return lambda name, value: monkeypatch.setenv(name, value)


class TestDotenvProviderContract(SecretProviderContractTests):
    """Secrets from the ``.env`` file beside the project, written with double-quoted escapes."""

    provider_name = "dotenv"

    @pytest.fixture
    def store_secret(self, tmp_path: Path) -> StoreSecret:
        def store(name: str, value: str) -> None:
            with (tmp_path / ".env").open("a", encoding="utf-8", newline="") as handle:
                handle.write(f"# a comment = 'x'\nexport OTHER_{name}=unquoted # trailing\n")
                handle.write(dotenv_line(name, value))

        return store
