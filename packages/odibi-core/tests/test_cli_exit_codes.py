"""Command-line mistakes exit with the documented usage-error code, whatever click Typer uses."""

from __future__ import annotations

from odibi_core.errors import ExitCode
from odibi_core.testing.cli import run_odibi


def test_unknown_option_is_a_usage_error() -> None:
    proc = run_odibi(["run", "--no-such-option"])
    assert proc.returncode == ExitCode.USAGE_ERROR
    assert "No such option" in proc.stderr
    assert "internal error" not in proc.stderr


def test_unknown_command_is_a_usage_error() -> None:
    proc = run_odibi(["no-such-command"])
    assert proc.returncode == ExitCode.USAGE_ERROR
    assert "No such command" in proc.stderr


def test_bad_option_value_is_a_usage_error() -> None:
    proc = run_odibi(["--log-format", "xml", "plugins", "list"])
    assert proc.returncode == ExitCode.USAGE_ERROR
    assert "must be text or json" in proc.stderr


def test_no_arguments_prints_help_without_an_internal_error() -> None:
    proc = run_odibi([])
    assert "Usage:" in proc.stdout + proc.stderr
    assert "internal error" not in proc.stderr
    assert proc.returncode in (ExitCode.OK, ExitCode.USAGE_ERROR)


def test_version_exits_zero() -> None:
    proc = run_odibi(["--version"])
    assert proc.returncode == ExitCode.OK
    assert proc.stdout.startswith("odibi ")
