"""The builtin CLI commands, registered through ``odibi_cli_commands`` like a plugin's.

:data:`~odibi_core.cli.commands.BUILTIN_COMMANDS` names each builtin command and the module whose
``register(app)`` adds it; every name becomes a :class:`~odibi_core.plugins.types.CliCommandSpec`
whose factory imports that module only when the command is mounted. A plugin command with one of
those names is a registration conflict naming both distributions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from odibi_core.plugins.hookspecs import hookimpl

if TYPE_CHECKING:
    from odibi_core.plugins.types import CliCommandSpec


def registered_command(name: str, module: str) -> Any:
    """What ``module``'s ``register(app)`` adds under ``name``: a command function or a Typer
    group. Raises ``LookupError`` if it adds nothing of that name."""
    import importlib

    import typer

    scratch = typer.Typer()
    importlib.import_module(module).register(scratch)
    for info in scratch.registered_commands:
        if info.callback is not None and (info.name or info.callback.__name__) == name:
            return info.callback
    for group in scratch.registered_groups:
        if group.typer_instance is not None and group.name == name:
            return group.typer_instance
    raise LookupError(f"{module} registers no command {name!r}")


def _factory(name: str, module: str) -> Any:
    """A factory mounting builtin command ``name`` from ``module`` (imported when called)."""
    return lambda: registered_command(name, module)


@hookimpl
def odibi_cli_commands() -> list[CliCommandSpec]:
    """``run``, ``validate``, ``graph``, ``init``, ``plugins``, ``state``, ``secrets``, ``story``,
    ``doctor``: :data:`~odibi_core.cli.commands.BUILTIN_COMMANDS`, each imported when mounted."""
    from odibi_core.cli.commands import BUILTIN_COMMANDS
    from odibi_core.plugins.types import CliCommandSpec

    return [
        CliCommandSpec(name, _factory(name, module), "")
        for name, module in BUILTIN_COMMANDS.items()
    ]
