"""``odibi plugins list``: every plugin with its distribution, version, status and hooks;
``odibi plugins new``: scaffold a plugin distribution (:mod:`odibi_core.cli.scaffold`).

Listing imports plugin entry-point modules (which must stay light) but never calls a factory,
so no engine or cloud SDK is imported.
"""

from __future__ import annotations

import contextlib

import typer

from odibi_core.cli.context import echo, echo_json


def register(app: typer.Typer) -> None:
    """Add the ``plugins`` group to ``app``."""
    from odibi_core.cli.scaffold.command import new_plugin

    group = typer.Typer(help="Inspect installed plugins, or scaffold a new one.", no_args_is_help=True)
    group.command("list")(list_plugins)
    group.command("new")(new_plugin)
    app.add_typer(group, name="plugins")


def list_plugins(
    show_all: bool = typer.Option(False, "--all", "-a", help="Include builtins and blocked or failed plugins."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """List plugins (active third-party ones by default)."""
    from odibi_core.errors import PluginError
    from odibi_core.plugins.loader import BUILTIN_DISTRIBUTION, STATUS_ACTIVE
    from odibi_core.plugins.manager import create_plugin_manager

    pm = create_plugin_manager()
    # calls every registration hook, so a plugin whose hook fails is listed as failed; a conflict
    # is reported by the commands that need the name
    with contextlib.suppress(PluginError):
        pm.check_conflicts()
    rows = [p for p in pm.plugins
            if show_all or (p.status == STATUS_ACTIVE and p.distribution != BUILTIN_DISTRIBUTION)]
    if as_json:
        echo_json([p.as_dict() for p in rows])
        return
    if not rows:
        echo("no third-party plugins are active (`odibi plugins list --all` shows everything)")
    for p in rows:
        line = f"{p.name:<22} {p.distribution:<28} {p.version:<8} {p.status:<8}"
        if p.reason:
            line += f" {p.reason}"
        elif p.hooks:
            line += f" {', '.join(p.hooks)}"
        echo(line.rstrip())
    problems = [p for p in pm.plugins if p.status != STATUS_ACTIVE]
    if problems and not show_all:
        echo(f"({len(problems)} plugin(s) blocked or failed: `odibi plugins list --all`)", err=True)
