"""Named pauses inside a write, so crash tests can kill a process at an exact step.

Off unless the environment asks: ``ODIBI_TEST_PAUSE="publish.swapped=0.5"`` makes every pass
through :func:`fault_point` ``"publish.swapped"`` sleep half a second (several ``name=seconds``
pairs are separated by commas). ``ODIBI_TEST_NO_EXCHANGE=1`` makes folder publication use its
two-rename fallback, as on a file system that cannot swap two names. Neither is for production.
"""

from __future__ import annotations

import os
import time

PAUSE_VARIABLE = "ODIBI_TEST_PAUSE"
NO_EXCHANGE_VARIABLE = "ODIBI_TEST_NO_EXCHANGE"


def fault_point(name: str) -> None:
    """Sleep here if ``ODIBI_TEST_PAUSE`` names this point (a no-op otherwise)."""
    spec = os.environ.get(PAUSE_VARIABLE)
    if not spec:
        return
    for item in spec.split(","):
        point, _, seconds = item.partition("=")
        if point.strip() == name:
            try:
                time.sleep(float(seconds or 0))
            except ValueError:
                return


def exchange_disabled() -> bool:
    """Whether ``ODIBI_TEST_NO_EXCHANGE`` asks for the two-rename fallback."""
    return os.environ.get(NO_EXCHANGE_VARIABLE, "") not in ("", "0")
