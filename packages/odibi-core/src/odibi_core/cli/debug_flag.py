"""The global ``--debug`` option: bare, ``--debug=full``, ``--debug=hooks`` or both.

A bare ``--debug`` turns on debug logging (plan, resolved inputs and outputs, SQL, timings, plugin
load decisions) and tracebacks with the hook machinery's frames folded; ``full`` keeps every frame;
``hooks`` adds pluggy's hook-call trace (lines shortened). The value must be attached with ``=``:
``odibi --debug run`` must never read ``run`` as the option's value, so a bare ``--debug`` among
the global options is given the value ``on`` before the command line is parsed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from odibi_core.cli.context import GlobalOptions

DEBUG_PARTS = ("full", "hooks")
"""Words ``--debug=`` accepts (comma-separated)."""

_BARE = "on"
_GLOBAL_OPTIONS_WITH_VALUE = frozenset({"--log-level", "--log-format"})


def bare_debug_flag(argv: list[str]) -> list[str]:
    """``argv`` with a bare ``--debug`` among the global options (before the command) written as
    ``--debug=on``; everything after the command name is left alone."""
    out: list[str] = []
    takes_value = False
    for index, arg in enumerate(argv):
        if takes_value:
            out.append(arg)
            takes_value = False
            continue
        if arg == "--debug":
            out.append(f"--debug={_BARE}")
            continue
        if not arg.startswith("-") or arg == "--":
            return out + argv[index:]  # the command: its own options are its business
        takes_value = arg in _GLOBAL_OPTIONS_WITH_VALUE
        out.append(arg)
    return out


def apply_debug_flag(state: GlobalOptions, value: str | None) -> None:
    """Set ``state``'s debug switches from ``--debug``'s value (``None``: not given); also the
    process-wide traceback setting. Raises ``typer.BadParameter`` for an unknown word."""
    import typer

    from odibi_core.tracebacks import set_full_tracebacks

    parts: set[str] = set()
    if value is not None and value != _BARE:
        parts = {p.strip().lower() for p in value.split(",") if p.strip()}
        unknown = sorted(parts - set(DEBUG_PARTS))
        if unknown or not parts:
            raise typer.BadParameter(
                f"unknown value {','.join(unknown) or value!r}: use --debug, --debug=full, "
                "--debug=hooks or --debug=full,hooks",
                param_hint="--debug",
            )
    state.debug = value is not None
    state.debug_full = "full" in parts
    state.trace_hooks = "hooks" in parts
    set_full_tracebacks(state.debug_full)
