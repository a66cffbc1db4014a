"""The entry point: adds ``odibi migrate`` through the ``odibi_cli_commands`` hook."""

from __future__ import annotations

from typing import TYPE_CHECKING

from odibi_core.plugin import CliCommandSpec, hookimpl

if TYPE_CHECKING:
    import typer

ODIBI_PLUGIN_API = "1.0"
"""The odibi plugin API this plugin was built for (checked when odibi-core loads it)."""


def _app() -> typer.Typer:
    from odibi_migrate.cli import build_app

    return build_app()


@hookimpl
def odibi_cli_commands() -> list[CliCommandSpec]:
    """Register ``odibi migrate``."""
    return [CliCommandSpec("migrate", _app, "Convert an original Odibi 2.x/3.x project.")]
