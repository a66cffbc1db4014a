"""The CLI reference, generated from the Typer app by click introspection.

Typer may vendor its own copy of click, so commands are inspected by duck typing (a group has
``list_commands``), never with ``isinstance`` against the ``click`` package.

Builtin commands come from :func:`odibi_core.cli.main.create_app` (so command modules added to
``BUILTIN_COMMAND_MODULES`` appear by themselves); commands that plugins contribute through
``odibi_cli_commands`` are added from the plugin manager, marked with their distribution.
"""

from __future__ import annotations

import typing
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from odibi_docgen.common import GENERATED_NOTE, REFERENCE, code, table, write_if_changed

PAGE = REFERENCE / "cli.md"


@dataclass
class CommandDoc:
    """One command or group, with its full name (``odibi state show``)."""

    path: list[str]
    command: Any
    provider: str | None = None

    @property
    def name(self) -> str:
        return " ".join(self.path)


def is_group(command: Any) -> bool:
    """Whether ``command`` has sub-commands."""
    return hasattr(command, "list_commands")


def context(command: Any, name: str) -> Any:
    """A context for ``command`` (its own click flavour)."""
    return command.context_class(command, info_name=name)


def build_root() -> tuple[Any, dict[str, str]]:
    """The click group of ``odibi`` with plugin commands, and ``{command: distribution}``."""
    import typer
    from odibi_core.cli.main import create_app
    from odibi_core.plugins.loader import BUILTIN_DISTRIBUTION
    from odibi_core.plugins.manager import create_plugin_manager

    app = create_app(argv=[])  # no command named: builtin and plugin commands alike
    providers = {name: registered.distribution
                 for name, registered in create_plugin_manager().cli_commands().items()
                 if registered.distribution != BUILTIN_DISTRIBUTION}
    root = typer.main.get_command(app)
    assert is_group(root), "the odibi app must be a group"
    return root, providers


def iter_commands(root: Any, providers: dict[str, str] | None = None) -> Iterator[CommandDoc]:
    """Every command and group under ``root``, depth first, in help order."""
    providers = providers or {}

    def visit(command: Any, path: list[str], provider: str | None) -> Iterator[CommandDoc]:
        yield CommandDoc(path, command, provider)
        if is_group(command):
            ctx = context(command, path[-1])
            for name in command.list_commands(ctx):
                sub = command.get_command(ctx, name)
                if sub is not None and not sub.hidden:
                    yield from visit(sub, [*path, name], provider or providers.get(name))

    yield from visit(root, ["odibi"], None)


def usage(doc: CommandDoc) -> str:
    """``odibi run [OPTIONS] [PROJECT]``."""
    ctx = context(doc.command, doc.path[-1])
    pieces = doc.command.collect_usage_pieces(ctx)
    return " ".join([doc.name, *pieces])


def _help(command: Any) -> str:
    text = command.help or command.short_help or ""
    return text.split("\f")[0].strip()


def type_name(param: Any) -> str:
    """A reader's name for a parameter's value type (click's, or Typer's annotation)."""
    click_type = getattr(param, "type", None)
    if click_type is not None and getattr(click_type, "name", None):
        return str(click_type.name).lower()
    annotation = getattr(getattr(param, "type_descriptor", None), "annotation", None)
    args = typing.get_args(annotation)
    if typing.get_origin(annotation) in (list, tuple) and args:
        annotation = args[0]
    names = {str: "text", int: "integer", float: "float", bool: "boolean", Path: "path"}
    return names.get(annotation, getattr(annotation, "__name__", "text"))


def _bounds(param: Any) -> str:
    low, high = getattr(param, "min", None), getattr(param, "max", None)
    if low is None and high is None:
        return ""
    if high is None:
        return f" (at least {low})"
    if low is None:
        return f" (at most {high})"
    return f" ({low} to {high})"


def param_rows(command: Any) -> list[tuple[str, str, str, str]]:
    """``(option or argument, type, default, help)`` for each visible parameter."""
    rows = []
    for param in command.params:
        if getattr(param, "hidden", False):
            continue
        if param.param_type_name == "option":
            names = ", ".join(code(o) for o in [*param.opts, *param.secondary_opts])
            kind = "flag" if param.is_flag else type_name(param)
            if param.multiple:
                kind += " (repeatable)"
            default = param.default
            default_text = (
                "" if default in (None, False, (), []) or param.is_flag else code(default)
            )
            if param.required:
                default_text = "required"
            help_text = getattr(param, "help", "") or ""
        else:
            names = code((param.metavar or param.name or "").upper())
            kind = f"argument: {type_name(param)}"
            default = param.default
            default_text = (
                "required"
                if param.required
                else (code(default) if default not in (None, ()) else "")
            )
            help_text = getattr(param, "help", "") or ""
        rows.append((names, kind, default_text, help_text + _bounds(param)))
    return rows


def render() -> str:
    """The whole page."""
    from odibi_core.errors import ExitCode

    root, providers = build_root()
    out = [
        GENERATED_NOTE,
        "# CLI reference\n",
        "Every `odibi` command and option, generated from the Typer app on every docs build "
        "(plugin commands included). `-h` / `--help` works everywhere. Exit codes are listed in "
        f"the [exit-code table](exit-codes.md); `{int(ExitCode.USAGE_ERROR)}` means the command "
        "line was wrong.\n",
    ]
    docs = list(iter_commands(root, providers))
    out.append("| Command | What it does |\n|---|---|")
    for doc in docs[1:]:
        first = _help(doc.command).splitlines()[0] if _help(doc.command) else ""
        out.append(f"| [`{doc.name}`](#{_anchor(doc)}) | {first.replace('|', '/')} |")
    out.append("")
    for doc in docs:
        level = "#" * min(len(doc.path) + 1, 4)
        out.append(f"{level} `{doc.name}` {{#{_anchor(doc)}}}\n")
        if doc.provider:
            out.append(f"*Provided by the plugin distribution `{doc.provider}`.*\n")
        help_text = _help(doc.command)
        if help_text:
            out.append(help_text + "\n")
        out.append(f"```text\n{usage(doc)}\n```\n")
        rows = param_rows(doc.command)
        if rows:
            out.append(table(("Option / argument", "Type", "Default", "Help"), rows))
        if is_group(doc.command):
            ctx = context(doc.command, doc.path[-1])
            subs = [n for n in doc.command.list_commands(ctx)]
            out.append(
                "Sub-commands: "
                + ", ".join(
                    f"[`{n}`](#{_anchor(CommandDoc([*doc.path, n], doc.command))})" for n in subs
                )
                + "\n"
            )
    return "\n".join(out)


def _anchor(doc: CommandDoc) -> str:
    return "-".join(doc.path)


def generate() -> Path:
    """Write the page (only if it changed)."""
    write_if_changed(PAGE, render())
    return PAGE
