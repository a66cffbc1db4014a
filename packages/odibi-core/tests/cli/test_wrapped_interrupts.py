"""An interrupt that a library turns into an error of its own still ends the command as an
interrupt (130 after SIGINT, 143 after SIGTERM), never as an internal error or a plugin error.

Pydantic, for one, wraps a ``KeyboardInterrupt`` raised while it builds a model; the random-signal
loop in ``tests/hostile`` met that once. Here every kind of wrapping error is raised after a
signal was noted, for both signals.
"""

from __future__ import annotations

import signal

import pytest
from odibi_core.cli import main as cli_main
from odibi_core.errors import ConfigError, ExitCode, PluginError, RunInterrupted
from odibi_core.execution import interrupts
from odibi_core.redaction import process


@pytest.fixture(autouse=True)
def _streams_left_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    """The command would wrap this process's stdout/stderr for redaction: not in pytest's."""
    monkeypatch.setattr(process, "install_process_redaction", lambda: None)

WRAPPERS = [
    RuntimeError("SchemaError: KeyboardInterrupt while building a model"),
    PluginError("plugin acme failed: import interrupted"),
    ConfigError("odibi.yaml:3: invalid"),
]


@pytest.mark.parametrize(
    ("signal_number", "code"),
    [(signal.SIGINT, ExitCode.INTERRUPTED), (signal.SIGTERM, ExitCode.TERMINATED)],
)
@pytest.mark.parametrize("error", WRAPPERS, ids=lambda e: type(e).__name__)
def test_an_error_raised_after_a_signal_exits_as_the_interrupt(
    monkeypatch: pytest.MonkeyPatch, signal_number: int, code: int, error: Exception
) -> None:
    def app(**_: object) -> None:
        interrupts._note(signal_number)
        raise error

    monkeypatch.setattr(cli_main, "create_app", app)
    monkeypatch.setattr(interrupts, "_last_signal", None)
    assert cli_main._invoke_command(["run"]) == code


@pytest.mark.parametrize("error", WRAPPERS, ids=lambda e: type(e).__name__)
def test_without_a_signal_the_error_keeps_its_own_exit_code(
    monkeypatch: pytest.MonkeyPatch, error: Exception
) -> None:
    def app(**_: object) -> None:
        raise error

    monkeypatch.setattr(cli_main, "create_app", app)
    monkeypatch.setattr(interrupts, "_last_signal", None)
    own = isinstance(error, (PluginError, ConfigError))
    expected = error.exit_code if own else ExitCode.INTERNAL_ERROR
    assert cli_main._invoke_command(["run"]) == expected


def test_a_run_interrupted_error_is_not_reported_twice(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def app(**_: object) -> None:
        interrupts._note(signal.SIGINT)
        raise RunInterrupted("run interrupted")

    monkeypatch.setattr(cli_main, "create_app", app)
    monkeypatch.setattr(interrupts, "_last_signal", None)
    assert cli_main._invoke_command(["run"]) == ExitCode.INTERRUPTED
    assert "\ninterrupted\n" not in capsys.readouterr().err
