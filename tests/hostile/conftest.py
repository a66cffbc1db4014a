"""Helpers of the hostile tests: a project folder on disk and ``odibi`` as a real subprocess.

Each file here is one promise Odibi makes about what a user (or an attacker) cannot break; each
test drives the real CLI (or real processes and signals) against real files.
"""

from __future__ import annotations

import subprocess
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from odibi_core.testing.cli import run_odibi


@pytest.fixture
def project(tmp_path: Path) -> Callable[..., Path]:
    """``project(yaml, files={...})``: write ``proj/odibi.yaml`` and files; return the folder."""

    def make(yaml_text: str, files: dict[str, str] | None = None) -> Path:
        root = tmp_path / "proj"
        root.mkdir(exist_ok=True)
        (root / "odibi.yaml").write_text(textwrap.dedent(yaml_text))
        for name, text in (files or {}).items():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_text(text)
        return root

    return make


def odibi(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """Run ``odibi ARGS`` in ``cwd`` (extra environment variables as keywords)."""
    return run_odibi(list(args), cwd=cwd, extra_env=env, timeout=120)


def temp_names(folder: Path) -> list[str]:
    """Staging and aside names in ``folder``."""
    return (
        sorted(p.name for p in folder.iterdir() if ".odibi-" in p.name) if folder.exists() else []
    )


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` with its bytes (to prove nothing changed)."""
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }
