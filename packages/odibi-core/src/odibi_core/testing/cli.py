"""Run the ``odibi`` CLI as a real subprocess (what users and schedulers do)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path


def run_odibi(
    args: Sequence[str], *, cwd: str | Path | None = None, env: Mapping[str, str] | None = None,
    timeout: float = 300, extra_env: Mapping[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m odibi_core.cli.main ARGS``; return the completed process (text output).

    Args:
        args: Command-line arguments after ``odibi``.
        cwd: Working directory.
        env: Full environment (default: this process's environment).
        timeout: Seconds before the subprocess is killed (a test failure, not a hang).
        extra_env: Variables added on top of ``env``.
    """
    environment = dict(os.environ if env is None else env)
    environment.update(extra_env or {})
    environment.setdefault("PYTHONUNBUFFERED", "1")
    return subprocess.run(
        [sys.executable, "-m", "odibi_core.cli.main", *args],
        cwd=cwd, env=environment, capture_output=True, text=True, timeout=timeout, check=False,
    )
