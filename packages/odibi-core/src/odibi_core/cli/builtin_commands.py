"""The builtin CLI commands, registered through ``odibi_cli_commands`` like a plugin's.

Each module of :data:`~odibi_core.cli.commands.BUILTIN_COMMAND_MODULES` adds its commands to a
scratch Typer app; every command and group found there becomes a
:class:`~odibi_core.plugins.types.CliCommandSpec`. So the builtin names are whatever the
modules register (no list kept by hand), and a plugin command with one of those names is a
registration conflict naming both distributions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from odibi_core.plugins.hookspecs import hookimpl

if TYPE_CHECKING:
    from odibi_core.plugins.types import CliCommandSpec


def _returns(value: Any) -> Any:
    """A factory returning ``value`` (the command modules already built it)."""
    return lambda: value


@hookimpl
def odibi_cli_commands() -> list[CliCommandSpec]:
    """``run``, ``validate``, ``graph``, ``init``, ``plugins``, ``state``, ``secrets``, ``story``,
    ``doctor``... as registered by the builtin command modules."""
    import importlib

    import typer

    from odibi_core.cli.commands import BUILTIN_COMMAND_MODULES
    from odibi_core.plugins.types import CliCommandSpec

    scratch = typer.Typer()
    for module in BUILTIN_COMMAND_MODULES:
        importlib.import_module(module).register(scratch)
    specs = [
        CliCommandSpec(
            info.name or info.callback.__name__, _returns(info.callback), info.help or ""
        )
        for info in scratch.registered_commands
        if info.callback is not None
    ]
    specs += [
        CliCommandSpec(str(info.name), _returns(info.typer_instance), "")
        for info in scratch.registered_groups
        if info.typer_instance is not None
    ]
    return specs
