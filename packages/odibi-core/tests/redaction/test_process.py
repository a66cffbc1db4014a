"""Process-wide safety nets: redacting std streams and exception hooks."""

from __future__ import annotations

import contextlib
import io
import sys
import threading
from collections.abc import Iterator

import pytest
from odibi_core.redaction import MASK, register_secret
from odibi_core.redaction.process import RedactingStream, install_process_redaction, unwrapped

SECRET = "stream-secret-77"


@pytest.fixture
def registered(clean_redaction: None) -> None:
    register_secret(SECRET)


def test_lines_are_redacted_even_when_a_secret_spans_writes(registered: None) -> None:
    target = io.StringIO()
    stream = RedactingStream(target)
    stream.write("value: stream-se")
    stream.write("cret-77 and more\nnext ")
    assert target.getvalue() == f"value: {MASK} and more\n"
    stream.write(SECRET[:6])
    stream.flush()  # an incomplete line is held even across a flush
    assert target.getvalue() == f"value: {MASK} and more\n"
    stream.write(SECRET[6:])
    stream.finish()
    assert target.getvalue() == f"value: {MASK} and more\nnext {MASK}"
    stream.write("after finish")
    assert target.getvalue().endswith("after finish")


def test_carriage_returns_end_lines_so_progress_still_moves(registered: None) -> None:
    target = io.StringIO()
    stream = RedactingStream(target)
    stream.write("\r[##  ] 40%")
    stream.write("\r[### ] 60%")
    assert target.getvalue() == "\r[##  ] 40%\r"


def test_a_long_line_without_newline_is_passed_on_redacted(registered: None) -> None:
    target = io.StringIO()
    stream = RedactingStream(target)
    stream.write("x" * 70_000 + SECRET)
    assert target.getvalue() == "x" * 70_000 + MASK


def test_unwrapped_returns_the_target() -> None:
    target = io.StringIO()
    assert unwrapped(RedactingStream(target)) is target
    assert unwrapped(target) is target


@contextlib.contextmanager
def installed(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[io.StringIO, io.StringIO]]:
    """Install the safety nets over buffers, inside the test (pytest swaps std streams per
    phase)."""
    out, err = io.StringIO(), io.StringIO()
    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.setattr(sys, "stderr", err)
    monkeypatch.setattr(threading, "excepthook", threading.excepthook)
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(sys, "unraisablehook", sys.unraisablehook)
    install_process_redaction()
    install_process_redaction()  # idempotent: no double wrapping
    assert isinstance(sys.stdout, RedactingStream)
    assert sys.stdout.target is out
    yield out, err
    sys.stdout.finish()  # type: ignore[union-attr]
    sys.stderr.finish()  # type: ignore[union-attr]


def test_print_and_thread_errors_are_redacted(
    registered: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail() -> None:
        raise ValueError(f"in thread {SECRET}")

    with installed(monkeypatch) as (out, err):
        print("printed", SECRET)
        worker = threading.Thread(target=fail, name="worker-x")
        worker.start()
        worker.join()
    assert out.getvalue() == f"printed {MASK}\n"
    assert "Exception in thread worker-x" in err.getvalue()
    assert f"ValueError: in thread {MASK}" in err.getvalue()
    assert SECRET not in out.getvalue() + err.getvalue()


def test_uncaught_and_unraisable_exceptions_are_redacted(
    registered: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    class Noisy:
        def __del__(self) -> None:
            raise OSError(f"in __del__ {SECRET}")

    with installed(monkeypatch) as (_, err):
        try:
            raise RuntimeError(f"top level {SECRET}")
        except RuntimeError as exc:
            sys.excepthook(type(exc), exc, exc.__traceback__)
        Noisy()
    assert f"RuntimeError: top level {MASK}" in err.getvalue()
    assert f"OSError: in __del__ {MASK}" in err.getvalue()
    assert SECRET not in err.getvalue()
