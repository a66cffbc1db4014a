"""The entry point: registers the built-in transformers with Odibi.

Declared in ``pyproject.toml`` as::

    [project.entry-points."odibi.plugins"]
    transformers = "odibi_transformers.plugin"

This module imports nothing heavy: the library (pydantic models, sqlglot) loads when the hook is
called, and sqlglot only when a transformer renders its SQL.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from odibi_core.plugin import hookimpl

if TYPE_CHECKING:
    from odibi_core.plugin import TransformerSpec

ODIBI_PLUGIN_API = "1.0"
"""The odibi plugin API this plugin was built for (checked when odibi-core loads it)."""


@hookimpl
def odibi_transformers() -> list[TransformerSpec]:
    """Register every transformer of the library."""
    from odibi_transformers.library import all_transformers

    return all_transformers()
