"""The cancellation flag: raised once, cancels every registered target, even late ones."""

from __future__ import annotations

import signal
import threading
import time

import pytest
from odibi_core.errors import ExitCode, RunInterrupted, RunTerminated
from odibi_core.execution.cancellation import RunCancellation


class Target:
    def __init__(self) -> None:
        self.interrupted = threading.Event()

    def interrupt(self) -> None:
        self.interrupted.set()


class Broken:
    def interrupt(self) -> None:
        raise RuntimeError("cannot cancel")


def test_cancel_interrupts_every_target_once_and_returns_at_once() -> None:
    cancellation = RunCancellation(announce=False)
    first, second = Target(), Target()
    for target in (Broken(), first, second):
        cancellation.register(target)
    started = time.monotonic()
    assert cancellation.cancel(signal.SIGINT) is True
    assert time.monotonic() - started < 1.0
    assert first.interrupted.wait(5)
    assert second.interrupted.wait(5)
    assert (
        cancellation.cancel(signal.SIGTERM) is False
    )
    assert (
        cancellation.signal_number == signal.SIGINT
    )


def test_a_target_registered_after_the_cancel_is_interrupted_at_once() -> None:
    cancellation = RunCancellation(announce=False)
    cancellation.cancel(None)
    late = Target()
    cancellation.register(late)
    assert late.interrupted.is_set()


def test_an_unregistered_target_is_left_alone() -> None:
    cancellation = RunCancellation(announce=False)
    target = Target()
    cancellation.register(target)
    cancellation.unregister(target)
    cancellation.cancel(signal.SIGINT)
    time.sleep(0.2)
    assert not target.interrupted.is_set()


@pytest.mark.parametrize(
    ("number", "cls", "code"),
    [
        (signal.SIGINT, RunInterrupted, ExitCode.INTERRUPTED),
        (signal.SIGTERM, RunTerminated, ExitCode.TERMINATED),
        (None, RunInterrupted, ExitCode.INTERRUPTED),
    ],
)
def test_the_error_and_exit_code_follow_the_signal(
    number: int | None, cls: type, code: int
) -> None:
    cancellation = RunCancellation(announce=False)
    cancellation.check()  # not raised: nothing happens
    cancellation.cancel(number)
    with pytest.raises(cls) as info:
        cancellation.check()
    assert info.value.exit_code == code
    assert cancellation.wait(30) is True  # returns at once once raised
