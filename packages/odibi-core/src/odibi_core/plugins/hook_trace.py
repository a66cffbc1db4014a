"""pluggy's hook-call trace as short, redacted log lines (``--debug=hooks``).

pluggy writes each hook call with the repr of every argument: a ``ProjectConfig`` alone is
thousands of characters. Each line is redacted, then cut to :data:`MAX_TRACE_LINE` characters,
unless everything was asked for (``--debug=full,hooks``: whole lines, still redacted).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from odibi_core.redaction.shorten import clip

MAX_TRACE_LINE = 200
"""Characters kept of one line of the hook trace."""


def hook_trace_writer(log: logging.Logger) -> Callable[[str], None]:
    """A pluggy trace writer logging each line of a trace message at DEBUG, shortened."""
    from odibi_core.redaction import redact_lines, redact_text
    from odibi_core.tracebacks import full_tracebacks

    def write(message: str) -> None:
        whole = full_tracebacks()
        for line in redact_lines(message.rstrip("\n")):  # whole, then split
            if line.strip():
                log.debug("hook %s", redact_text(line) if whole else clip(line, MAX_TRACE_LINE))

    return write
