"""Run the ``odibi`` CLI as a real subprocess (what users and schedulers do), or in this process.

:func:`run_odibi` is the real thing; :func:`invoke_odibi` runs the same entry point in the test
process (no interpreter start), for property tests that try hundreds of inputs.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path


def run_odibi(
    args: Sequence[str],
    *,
    cwd: str | Path | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float = 300,
    extra_env: Mapping[str, str] | None = None,
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
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@dataclass(frozen=True)
class CliResult:
    """What :func:`invoke_odibi` saw: the exit code and the text written to stdout and stderr."""

    exit_code: int
    stdout: str
    stderr: str


def invoke_odibi(args: Sequence[str]) -> CliResult:
    """Run ``odibi ARGS`` in this process through the CLI's own entry point and error handling.

    Output goes through the same redacting streams as in a real process, captured here. Global
    state the CLI sets up (logging handlers, exception hooks) stays installed afterwards.
    """
    from odibi_core.cli.main import _invoke
    from odibi_core.redaction.process import RedactingStream

    out, err = io.StringIO(), io.StringIO()
    saved = sys.stdout, sys.stderr
    wrapped_out, wrapped_err = RedactingStream(out), RedactingStream(err)
    sys.stdout, sys.stderr = wrapped_out, wrapped_err
    try:
        code = _invoke(list(args))
    finally:
        wrapped_out.finish()
        wrapped_err.finish()
        sys.stdout, sys.stderr = saved
    return CliResult(int(code), out.getvalue(), err.getvalue())


def start_odibi(
    args: Sequence[str],
    *,
    cwd: str | Path | None = None,
    extra_env: Mapping[str, str] | None = None,
) -> subprocess.Popen[str]:
    """Start ``python -m odibi_core.cli.main ARGS`` without waiting (to send it signals).

    Output is captured (``communicate()`` returns it). The child gets its own process group, so a
    signal meant for it never reaches the test run.
    """
    environment = dict(os.environ)
    environment.update(extra_env or {})
    environment.setdefault("PYTHONUNBUFFERED", "1")
    return subprocess.Popen(
        [sys.executable, "-m", "odibi_core.cli.main", *args],
        cwd=cwd,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
