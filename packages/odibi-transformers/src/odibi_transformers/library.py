"""The whole library: importing each group module declares its transformers."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from odibi_core.plugin import TransformerSpec

MODULES = (
    "columns",
    "rows",
    "relational",
    "dates",
    "strings",
    "windows",
    "keys",
    "reshape",
    "history",
    "dimensional",
)
"""Group modules, in reference order."""


def all_transformers() -> list[TransformerSpec]:
    """Every transformer of the library (imports the group modules once)."""
    import importlib

    from odibi_transformers.registry import declared

    for name in MODULES:
        importlib.import_module(f"odibi_transformers.{name}")
    return declared()
