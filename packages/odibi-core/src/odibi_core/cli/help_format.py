"""Help text without Python type names.

Typer labels every value in ``--help`` with its Python type (``<list[str]>``, ``<int range>``,
``<str>``). Odibi's help names what a value *is* instead: an option shows its metavar (set
explicitly on most options, else derived from the option's name: ``--lock-timeout LOCK_TIMEOUT``),
an argument shows its name only. Applied to the whole command tree, plugin commands included.
"""

from __future__ import annotations

from typing import Any


def plain_metavars(command: Any) -> None:
    """Give every option of ``command`` and its sub-commands a type-free metavar, and stop
    arguments from printing their type."""
    for param in getattr(command, "params", []):
        if getattr(param, "param_type_name", "") == "option":
            if not getattr(param, "is_flag", False) and not param.metavar:
                param.metavar = (param.name or "value").upper()
        elif getattr(param, "param_type_name", "") == "argument":
            if not param.metavar:
                param.metavar = (param.name or "value").upper()
            # an instance attribute shadows Typer's method that appends ``<str>``
            param.display_type_rich = _no_type
            param.display_type = _no_type
    for sub in getattr(command, "commands", {}).values():
        plain_metavars(sub)


def _no_type(ctx: Any = None) -> None:
    return None
