"""The ``odibi plugins new`` command (the scaffolding itself is :mod:`odibi_core.cli.scaffold`)."""

from __future__ import annotations

from pathlib import Path

import typer

from odibi_core.cli.context import echo

KIND_HELP = "engine, connection, state, secrets or lifecycle."


def new_plugin(
    kind: str = typer.Argument(
        ..., help=f"What the plugin provides: {KIND_HELP}", show_default=False, metavar="KIND"
    ),
    name: str = typer.Argument(
        ...,
        help="The name projects use in YAML (lower case letters, digits, _).",
        show_default=False,
        metavar="NAME",
    ),
    directory: str = typer.Option(
        ".", "--dir", "-d", help="Where to create the distribution folder."
    ),
) -> None:
    """Scaffold a plugin distribution that passes its contract suite.

    Creates DIR/odibi-PREFIX-NAME (PREFIX: engine, connector, state, secrets, lifecycle) with a
    pyproject.toml declaring the entry point, a src/ package, an options model, a small working
    implementation, contract tests, a README and a docs page. An existing folder is never
    overwritten.
    """
    from odibi_core.cli.scaffold import PluginNames, scaffold

    target = scaffold(kind, name, Path(directory))
    names = PluginNames.of(kind, name)
    echo(f"created {target} ({names.distribution}, import package {names.package})")
    echo("next:")
    echo(f"  cd {target}")
    echo("  pip install -e '.[test]'")
    echo("  python -m pytest          # the contract suite passes out of the box")
    echo(f"  odibi plugins list        # shows {names.distribution}")
