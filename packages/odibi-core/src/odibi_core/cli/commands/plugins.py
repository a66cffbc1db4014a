"""``odibi plugins list``: every plugin with its distribution, version, status and hooks, and the
types they make available (engines, connections, formats, state backends, secret providers,
transformers) with the distribution that provides each; ``odibi plugins new``: scaffold a
plugin distribution (:mod:`odibi_core.cli.scaffold`).

Listing imports plugin entry-point modules (which must stay light) but never calls a factory,
so no engine or cloud SDK is imported.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import typer

from odibi_core.cli.context import echo, echo_json

if TYPE_CHECKING:
    from odibi_core.plugins.manager import OdibiPluginManager

KINDS: dict[str, str] = {
    "engine": "engines",
    "connection": "connections",
    "format": "formats",
    "state": "state_backends",
    "secrets": "secret_providers",
    "transformer": "transformers",
    "function": "transforms",
    "command": "cli_commands",
}
"""``KIND`` as shown (and as ``--kind`` takes it) -> the plugin manager method listing them."""

KIND_HELP = f"Only types of this kind (repeatable): {', '.join(KINDS)}."
"""Help text of ``--kind``."""

SHOWN_BY_DEFAULT = ("engine", "connection", "format", "state", "secrets")
"""Kinds listed without ``--all`` or ``--kind`` (transformers and functions are many)."""

BUILTIN_FORMATS = ("csv", "parquet", "json")
"""File formats every engine reads and writes itself (no plugin registers them)."""


@dataclass(frozen=True)
class Provided:
    """One type a plugin makes available: ``kind`` ``name`` from ``distribution``."""

    kind: str
    name: str
    plugin: str
    distribution: str
    description: str


def register(app: typer.Typer) -> None:
    """Add the ``plugins`` group to ``app``."""
    from odibi_core.cli.scaffold.command import new_plugin

    group = typer.Typer(
        help="Inspect installed plugins and the types they provide, or scaffold a new plugin.",
        no_args_is_help=True,
    )
    group.command("list")(list_plugins)
    group.command("new")(new_plugin)
    app.add_typer(group, name="plugins")


def list_plugins(
    show_all: bool = typer.Option(
        False,
        "--all",
        "-a",
        help="Include builtins, blocked or failed plugins, "
        "and every kind of type (transformers, functions, commands).",
    ),
    kind: list[str] | None = typer.Option(
        None,
        "--kind",
        "-k",
        metavar="KIND",
        help=KIND_HELP,
    ),
    as_json: bool = typer.Option(
        False,
        "--json",
        help="Machine-readable output: the plugins, each with the types it provides.",
    ),
) -> None:
    """List plugins (active third-party ones by default) and the types available to a project."""
    from odibi_core.errors import PluginError, UsageError
    from odibi_core.plugins.loader import BUILTIN_DISTRIBUTION, STATUS_ACTIVE
    from odibi_core.plugins.manager import create_plugin_manager

    unknown = [k for k in kind or [] if k not in KINDS]
    if unknown:
        from odibi_core.config.suggestions import did_you_mean

        raise UsageError(
            f"unknown kind {unknown[0]!r}{did_you_mean(unknown[0], KINDS)}; "
            f"kinds: {', '.join(KINDS)}"
        )
    pm = create_plugin_manager()
    # calls every registration hook, so a plugin whose hook fails is listed as failed; a conflict
    # is reported by the commands that need the name
    with contextlib.suppress(PluginError):
        pm.check_conflicts()
    provided = provided_types(pm)
    rows = [
        p
        for p in pm.plugins
        if show_all or (p.status == STATUS_ACTIVE and p.distribution != BUILTIN_DISTRIBUTION)
    ]
    if as_json:
        echo_json([_plugin_dict(p.as_dict(), provided) for p in rows])
        return
    kinds = list(kind or (KINDS if show_all else SHOWN_BY_DEFAULT))
    if not kind:
        _print_plugins(rows)
        echo()
    _print_types([t for t in provided if t.kind in kinds])
    hidden = [k for k in KINDS if k not in kinds and any(t.kind == k for t in provided)]
    if hidden and not kind:
        counts = ", ".join(
            f"{n} {k}{'' if n == 1 else 's'}"
            for k in hidden
            for n in [sum(t.kind == k for t in provided)]
        )
        echo(f"(also {counts}: `odibi plugins list --kind KIND` or --all)")
    problems = [p for p in pm.plugins if p.status != STATUS_ACTIVE]
    if problems and not show_all:
        echo(f"({len(problems)} plugin(s) blocked or failed: `odibi plugins list --all`)", err=True)


def provided_types(pm: OdibiPluginManager) -> list[Provided]:
    """Every type the active plugins register, by kind then name (registries that fail are
    skipped: their plugin is listed as failed)."""
    from odibi_core.errors import PluginError
    from odibi_core.plugins.loader import BUILTIN_DISTRIBUTION

    found = [
        Provided("format", name, "builtin", BUILTIN_DISTRIBUTION, "built into every engine")
        for name in BUILTIN_FORMATS
    ]
    for shown, registry in KINDS.items():
        try:
            records = getattr(pm, registry)()
        except PluginError:
            continue
        for name, record in records.items():
            description = (
                getattr(record.spec, "description", "") or getattr(record.spec, "help", "") or ""
            )
            found.append(
                Provided(
                    shown,
                    name,
                    record.plugin,
                    record.distribution,
                    str(description).strip().split("\n", 1)[0],
                )
            )
    order = {k: i for i, k in enumerate(KINDS)}
    return sorted(found, key=lambda t: (order[t.kind], t.name))


def _plugin_dict(data: dict[str, Any], provided: list[Provided]) -> dict[str, Any]:
    mine: dict[str, list[str]] = {}
    for t in provided:
        if t.plugin == data["name"]:
            mine.setdefault(t.kind, []).append(t.name)
    return {**data, "provides": mine}


def _print_plugins(rows: list[Any]) -> None:
    if not rows:
        echo("no third-party plugins are active (`odibi plugins list --all` shows everything)")
        return
    echo(f"{'PLUGIN':<22} {'DISTRIBUTION':<28} {'VERSION':<8} {'STATUS':<8} HOOKS / REASON")
    for p in rows:
        line = f"{p.name:<22} {p.distribution:<28} {p.version:<8} {p.status:<8}"
        if p.reason:
            line += f" {p.reason}"
        elif p.hooks:
            line += f" {', '.join(p.hooks)}"
        echo(line.rstrip())


def _print_types(types: list[Provided]) -> None:
    if not types:
        echo("no types of that kind are available")
        return
    name_width = max(12, *(len(t.name) for t in types))
    echo(f"{'KIND':<12} {'NAME':<{name_width}} {'DISTRIBUTION':<28} DESCRIPTION")
    for t in types:
        echo(f"{t.kind:<12} {t.name:<{name_width}} {t.distribution:<28} {t.description}".rstrip())
