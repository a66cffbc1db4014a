"""Entry point of the ``odibi`` command: app factory, global options, error handling.

Expected errors (:class:`~odibi_core.errors.OdibiError`) print ``error: ...`` and a hint on
stderr and exit with their documented code; a traceback is shown only with ``--debug``.
Unexpected exceptions exit with code 70 and a redacted one-line summary.
"""

from __future__ import annotations

import importlib
import io
import sys
from typing import Any, Optional

import typer

from odibi_core import __version__
from odibi_core.cli.commands import BUILTIN_COMMAND_MODULES
from odibi_core.cli.context import STATE
from odibi_core.errors import ExitCode, OdibiError

RESERVED_COMMANDS = frozenset({"run", "validate", "graph", "plugins", "init", "state", "secrets", "doctor",
                               "story", "version", "help"})


def _version(value: bool) -> None:
    if value:
        typer.echo(f"odibi {__version__}")
        raise typer.Exit()


def create_app(*, with_plugins: bool = True) -> typer.Typer:
    """Build the Typer app: builtin commands, then plugin commands (never shadowing builtins)."""
    app = typer.Typer(
        name="odibi", help="Declarative data pipelines: read, transform, validate, write.",
        no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False, rich_markup_mode=None,
        context_settings={"help_option_names": ["-h", "--help"]},
    )

    @app.callback()
    def root(
        version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version."),
        log_level: Optional[str] = typer.Option(None, "--log-level", help="DEBUG, INFO, WARNING or ERROR."),
        log_format: Optional[str] = typer.Option(None, "--log-format", help="text or json."),
        debug: bool = typer.Option(False, "--debug", help="Show tracebacks (redacted) for errors."),
    ) -> None:
        """Odibi: declarative data pipelines."""
        if log_format is not None and log_format not in ("text", "json"):
            raise typer.BadParameter("must be text or json", param_hint="--log-format")
        STATE.log_level = log_level.upper() if log_level else ("DEBUG" if debug else None)
        STATE.log_format = log_format
        STATE.debug = debug

    for module in BUILTIN_COMMAND_MODULES:
        importlib.import_module(module).register(app)
    if with_plugins and _wants_plugin_commands():
        _add_plugin_commands(app)
    return app


def _wants_plugin_commands() -> bool:
    """Plugin sub-apps are only needed when the command is not a builtin one."""
    args = [a for a in sys.argv[1:] if not a.startswith("-")]
    return not args or args[0] not in RESERVED_COMMANDS


def _add_plugin_commands(app: typer.Typer) -> None:
    from odibi_core.plugins.manager import create_plugin_manager

    try:
        pm = create_plugin_manager()
        commands = pm.cli_commands()
    except OdibiError as exc:
        from odibi_core.redaction import redact_text

        typer.echo(redact_text(f"warning: plugin commands unavailable: {exc.message}"), err=True)
        return
    for name, registered in sorted(commands.items()):
        if name in RESERVED_COMMANDS:
            typer.echo(f"warning: plugin {registered.distribution} may not replace builtin command {name!r}", err=True)
            continue
        app.add_typer(registered.spec.app_factory(), name=name, help=registered.spec.help)


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; return (and exit with) the documented exit code."""
    code = _invoke(argv)
    sys.exit(code)


def _click_exceptions() -> Any:
    """The click exception module Typer uses (recent Typer versions vendor click)."""
    try:
        from typer._click import exceptions
    except ImportError:  # older Typer depends on click itself
        from click import exceptions
    return exceptions


def _invoke(argv: list[str] | None) -> int:
    from odibi_core.redaction import redact_text
    from odibi_core.redaction.process import install_process_redaction

    install_process_redaction()
    click_errors = _click_exceptions()
    try:
        command = typer.main.get_command(create_app())
        command.main(args=argv, prog_name="odibi", standalone_mode=False)
        return ExitCode.OK
    except OdibiError as exc:
        if STATE.debug:
            from odibi_core.logs import format_exception_chain

            sys.stderr.write(format_exception_chain(exc))
        sys.stderr.write(redact_text(f"error: {exc.message}") + "\n")
        if exc.hint:
            sys.stderr.write(redact_text(f"hint: {exc.hint}") + "\n")
        return int(exc.exit_code)
    except typer.Exit as exc:
        return int(exc.exit_code)
    except typer.Abort:
        sys.stderr.write("aborted\n")
        return ExitCode.INTERRUPTED
    except click_errors.ClickException as exc:
        shown = io.StringIO()
        exc.show(file=shown)
        sys.stderr.write(redact_text(shown.getvalue()))
        return ExitCode.USAGE_ERROR if isinstance(exc, click_errors.UsageError) else int(exc.exit_code)
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        return ExitCode.INTERRUPTED
    except Exception as exc:
        from odibi_core.logs import format_exception_chain

        if STATE.debug:
            sys.stderr.write(format_exception_chain(exc))
        sys.stderr.write(redact_text(f"internal error: {type(exc).__name__}: {exc}") + "\n")
        sys.stderr.write("hint: rerun with --debug for the traceback and report it\n")
        return ExitCode.INTERNAL_ERROR


if __name__ == "__main__":  # pragma: no cover
    main()
