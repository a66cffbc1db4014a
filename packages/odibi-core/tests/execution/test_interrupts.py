"""Signal handlers: cooperative while nodes run, ordinary interrupts otherwise (real signals)."""

from __future__ import annotations

import os
import signal
import time

import pytest
from odibi_core.execution.cancellation import RunCancellation
from odibi_core.execution.interrupts import (
    exit_code_for,
    last_signal,
    process_handlers,
    stop_runs_cleanly,
)


def deliver(number: int) -> None:
    os.kill(os.getpid(), number)
    time.sleep(0.05)  # the handler runs in this (main) thread at the next bytecode


@pytest.mark.parametrize("number", [signal.SIGINT, signal.SIGTERM])
def test_while_nodes_run_a_signal_raises_the_flag_and_nothing_else(number: int) -> None:
    cancellation = RunCancellation(announce=False)
    with stop_runs_cleanly(cancellation):
        cancellation.armed = True
        deliver(number)
        cancellation.armed = False
    assert cancellation.cancelled
    assert cancellation.signal_number == number


@pytest.mark.parametrize("number", [signal.SIGINT, signal.SIGTERM])
def test_outside_the_run_a_signal_interrupts_as_usual(number: int) -> None:
    cancellation = RunCancellation(announce=False)
    with pytest.raises(KeyboardInterrupt), stop_runs_cleanly(cancellation):
        deliver(number)
    assert not cancellation.cancelled
    assert last_signal() == number


def test_handlers_are_restored_afterwards() -> None:
    before = signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)
    with process_handlers(), stop_runs_cleanly(RunCancellation(announce=False)):
        assert signal.getsignal(signal.SIGTERM) is not before[0]
    assert (signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)) == before


def test_sigterm_in_the_process_is_an_interrupt_that_exits_143() -> None:
    with pytest.raises(KeyboardInterrupt), process_handlers():
        deliver(signal.SIGTERM)
    assert exit_code_for(last_signal()) == 143
    with pytest.raises(KeyboardInterrupt), process_handlers():
        deliver(signal.SIGINT)
    assert exit_code_for(last_signal()) == 130
