"""Import one plugin's entry point without letting it stop, kill or hang the host.

A plugin module runs arbitrary code when imported. Each entry point is loaded in a short-lived
daemon thread that the caller waits for with a timeout:

* any exception, ``SystemExit`` (``sys.exit()``), ``KeyboardInterrupt`` or other
  ``BaseException`` raised by the import stays in that thread and becomes the plugin's ``failed``
  reason; a real Ctrl-C is delivered to the main thread, which is waiting, so it still interrupts;
* an import still running after the timeout marks the plugin ``failed: import took longer than
  N s`` and the host goes on.

A thread cannot be killed: a timed-out import keeps running in the background until it finishes
or the process exits (it never blocks the exit, being a daemon). Modules it was importing stay
locked for the life of the process, and a busy loop in it competes for the interpreter. An import
that never releases the GIL (a C extension blocking inside a call) or calls ``os._exit`` cannot be
guarded in-process. A timeout of ``0`` imports in the calling thread with the same exception guard
and no time bound (for a plugin that must import in the main thread).
"""

from __future__ import annotations

import threading
from importlib.metadata import EntryPoint
from typing import Any

DEFAULT_IMPORT_TIMEOUT = 5.0
"""Seconds an entry point may take to import (``ODIBI_PLUGIN_IMPORT_TIMEOUT``, "
    "``plugins.import_timeout``)."""


def describe_failure(exc: BaseException) -> str:
    """One line naming what a failed import raised."""
    if isinstance(exc, SystemExit):
        return f"the plugin called sys.exit({exc.code!r}) while being imported"
    if isinstance(exc, KeyboardInterrupt):
        return "the plugin raised KeyboardInterrupt while being imported"
    from odibi_core.redaction.shorten import first_line

    return first_line(f"{type(exc).__name__}: {exc}".strip()) or type(exc).__name__


def load_entry_point(ep: EntryPoint, timeout: float) -> tuple[Any, str | None]:
    """``(object, None)`` when ``ep`` loads, else ``(None, reason)``; never raises from the import.

    Args:
        ep: The entry point.
        timeout: Seconds to wait (``0``: import in this thread, unbounded).
    """
    if timeout <= 0:
        try:
            return ep.load(), None
        except KeyboardInterrupt:
            raise  # in the calling thread a Ctrl-C cannot be told apart from the plugin's own
        except (
            BaseException
        ) as exc:  # SystemExit and friends included: a plugin never ends the host
            return None, describe_failure(exc)
    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            outcome["object"] = ep.load()
        except BaseException as exc:  # stays in this thread by design
            outcome["error"] = exc

    thread = threading.Thread(target=target, name=f"odibi-plugin-import:{ep.name}", daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        return (
            None,
            f"import took longer than {timeout:g} s (it goes on in the background; see "
            f"ODIBI_PLUGIN_IMPORT_TIMEOUT)",
        )
    if "error" in outcome:
        return None, describe_failure(outcome["error"])
    return outcome.get("object"), None
