"""Run the ``odibi`` CLI in a pseudo-terminal, the way a person at a terminal meets it.

Uses the standard library's ``pty`` (no pexpect needed): the child gets the terminal as its
controlling terminal, so a ``\\x03`` typed into it reaches it as SIGINT through the terminal
driver exactly like Ctrl-C, and ``stderr.isatty()`` is true (the live progress is drawn).
POSIX only. Example::

    with TerminalSession(["run", str(project)], cwd=project.parent) as term:
        term.read_until("running: quick")
        term.press_ctrl_c()
        assert term.wait() == 130
        assert "interrupted" in term.text
"""

from __future__ import annotations

import contextlib
import os
import re
import select
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType

ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07]*\x07|\x1b[=>]|\r")
"""Terminal control sequences (colours, cursor moves) and carriage returns."""


def _controlling_terminal() -> None:  # runs in the child, after setsid()
    import fcntl
    import termios

    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


class TerminalSession:
    """``odibi ARGS`` running in a pseudo-terminal of ``columns`` x ``rows``.

    Args:
        args: Command-line arguments after ``odibi``.
        cwd: Working directory.
        env: Extra environment variables (``TERM`` is ``xterm-256color`` unless given).
        columns: Terminal width.
        rows: Terminal height.
    """

    def __init__(
        self,
        args: Sequence[str],
        *,
        cwd: str | Path | None = None,
        env: Mapping[str, str] | None = None,
        columns: int = 140,
        rows: int = 40,
    ) -> None:
        import fcntl
        import pty
        import struct
        import termios

        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
        environment = {
            **os.environ,
            "TERM": "xterm-256color",
            "COLUMNS": str(columns),
            "LINES": str(rows),
            **(env or {}),
        }
        environment.pop("NO_COLOR", None)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "odibi_core.cli.main", *args],
            cwd=cwd,
            env=environment,
            stdin=slave,
            stdout=slave,
            stderr=slave,
            start_new_session=True,
            preexec_fn=_controlling_terminal,
            close_fds=True,
        )
        os.close(slave)
        self._master = master
        self._output = bytearray()

    def __enter__(self) -> TerminalSession:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    @property
    def text(self) -> str:
        """Everything shown so far, control sequences removed."""
        return ANSI.sub("", self._output.decode("utf-8", "replace"))

    def _pump(self, timeout: float) -> bool:
        """Read what is available within ``timeout``; ``False`` once the terminal is closed."""
        ready, _, _ = select.select([self._master], [], [], timeout)
        if not ready:
            return True
        try:
            chunk = os.read(self._master, 65536)
        except OSError:  # EIO: the child closed the terminal
            return False
        if not chunk:
            return False
        self._output += chunk
        return True

    def read_until(self, pattern: str, timeout: float = 60) -> str:
        """Read until ``pattern`` (a regular expression) appears on screen; the screen so far."""
        deadline = time.monotonic() + timeout
        regex = re.compile(pattern)
        while not regex.search(self.text):
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not self._pump(min(remaining, 0.2)):
                if regex.search(self.text):
                    break
                raise AssertionError(
                    f"{pattern!r} did not appear within {timeout}s; screen:\n{self.text}"
                )
        return self.text

    def press_ctrl_c(self) -> None:
        """Type Ctrl-C (the terminal driver turns it into SIGINT for the foreground process)."""
        os.write(self._master, b"\x03")

    def wait(self, timeout: float = 60) -> int:
        """Keep reading the screen until the process exits; its exit code."""
        deadline = time.monotonic() + timeout
        while self.process.poll() is None:
            if time.monotonic() > deadline:
                raise AssertionError(f"odibi did not exit within {timeout}s; screen:\n{self.text}")
            self._pump(0.1)
        while self._pump(0.1):  # what it printed last
            pass
        return int(self.process.returncode)

    def close(self) -> None:
        """Kill the process if it still runs and close the terminal."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        with contextlib.suppress(OSError):
            os.close(self._master)
