"""One strict build of the docs site per test session, shared by the docs tests."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Build:
    """The result of ``scripts/docs.sh build`` into a temporary site folder."""

    returncode: int
    output: str
    site: Path


def run_mkdocs_only(site: Path, *, cwd: Path) -> Build:
    """``mkdocs build --strict`` alone (no generators: ``cwd`` already holds generated pages)."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "ODIBI_DOCS_GENERATED": "1"}
    proc = subprocess.run(
        [str(cwd / ".venv/bin/python"), "-m", "mkdocs", "build", "--strict", "-d", str(site)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    return Build(proc.returncode, proc.stdout + proc.stderr, site)


def run_docs_build(
    site: Path, *, cwd: Path = ROOT, extra_env: dict[str, str] | None = None
) -> Build:
    """Run the strict docs build exactly as the test command does; capture everything."""
    env = {**os.environ, **(extra_env or {})}
    env.pop("ODIBI_DOCS_GENERATED", None)
    proc = subprocess.run(
        ["scripts/docs.sh", "build", "--site-dir", str(site)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    return Build(proc.returncode, proc.stdout + proc.stderr, site)


@pytest.fixture(scope="session")
def mkdocs_only() -> Callable[..., Build]:
    """``mkdocs_only(site, cwd=...)``: the strict MkDocs build without the generators."""
    return run_mkdocs_only


@pytest.fixture(scope="session")
def docs_builder() -> Callable[..., Build]:
    """``docs_builder(site, cwd=..., extra_env=...)``: a strict build (:func:`run_docs_build`)."""
    return run_docs_build


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Build:
    """The site built once for the session (also regenerates docs/reference/)."""
    return run_docs_build(tmp_path_factory.mktemp("site") / "site")
