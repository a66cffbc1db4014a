"""Fixtures of the Azure data end-to-end tests: a container on Azurite and projects using it."""

from __future__ import annotations

import contextlib
import textwrap
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from odibi_connector_azure.testing import azurite_settings


@pytest.fixture(scope="session")
def azurite() -> dict[str, str]:
    """The running Azurite's settings (fails when it is not running)."""
    return azurite_settings()


@pytest.fixture
def container(azurite: dict[str, str]) -> Iterator[Any]:
    """A fresh, created container; yields its SDK client, deletes it after the test."""
    from azure.storage.blob import BlobServiceClient

    name = f"e2e-{uuid.uuid4().hex[:16]}"
    with BlobServiceClient.from_connection_string(azurite["connection_string"]) as svc:
        client = svc.get_container_client(name)
        client.create_container()
        yield client
        with contextlib.suppress(Exception):
            client.delete_container()


@pytest.fixture
def azure_project(
    tmp_path: Path, azurite: dict[str, str], container: Any, monkeypatch: pytest.MonkeyPatch
) -> Callable[..., Path]:
    """``azure_project(nodes_yaml, engine="duckdb", files={...}, credential=...)``: a project with
    a local connection ``raw`` (./data) and an ``azure_blob`` connection ``az`` on the test's
    container; the account key is read through ``${secret:AZ_KEY}``."""
    monkeypatch.setenv("AZ_KEY", azurite["key"])
    monkeypatch.setenv("AZ_URL", azurite["url"])

    def make(
        nodes: str,
        *,
        engine: str = "duckdb",
        files: dict[str, str] | None = None,
        credential: str = "account_key: ${secret:AZ_KEY}",
        extra: str = "",
    ) -> Path:
        for rel, text in (files or {}).items():
            target = tmp_path / "data" / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text)
        (tmp_path / "data").mkdir(exist_ok=True)
        path = tmp_path / "odibi.yaml"
        path.write_text(
            f"project: azure_e2e\nengine: {engine}\n{extra}connections:\n"
            "  raw: {type: local, base_path: ./data}\n"
            "  az:\n    type: azure_blob\n    account_name: devstoreaccount1\n"
            f"    account_url: ${{env:AZ_URL}}\n    container: {container.container_name}\n"
            f"    retry_backoff: 0.1\n    {credential}\n"
            "pipelines:\n  - pipeline: p\n    nodes:\n"
            + textwrap.indent(textwrap.dedent(nodes), "      ")
        )
        return path

    return make
