"""Entry point of the ``odibi`` command: app factory, global options, error handling.

Expected errors (:class:`~odibi_core.errors.OdibiError`) print ``error: ...`` and a hint on
stderr and exit with their documented code; a traceback is shown only with ``--debug``.
Unexpected exceptions exit with code 70 and a redacted one-line summary. Ctrl-C exits 130 and
SIGTERM 143 (a run in progress stops cleanly first: :mod:`odibi_core.execution.interrupts`).
"""

from __future__ import annotations

import contextlib
import io
import sys
from typing import TYPE_CHECKING, Any

import typer

from odibi_core import __version__
from odibi_core.cli.context import LOG_LEVELS, STATE
from odibi_core.errors import ExitCode, OdibiError

if TYPE_CHECKING:
    from odibi_core.plugins.manager import Registered
    from odibi_core.plugins.types import CliCommandSpec


def _version(value: bool) -> None:
    if value:
        typer.echo(f"odibi {__version__}")
        raise typer.Exit()


def create_app(*, with_plugins: bool = True, argv: list[str] | None = None) -> typer.Typer:
    """Build the Typer app: builtin commands, then plugin commands (never shadowing builtins).

    Plugin commands are only loaded when ``argv`` (default ``sys.argv[1:]``) may need them: never
    for ``--version`` or a builtin command.
    """
    app = typer.Typer(
        name="odibi",
        help="Declarative data pipelines: read, transform, validate, write.",
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
        rich_markup_mode=None,
        context_settings={"help_option_names": ["-h", "--help"]},
    )

    @app.callback()
    def root(
        version: bool = typer.Option(
            False, "--version", callback=_version, is_eager=True, help="Print the version."
        ),
        log_level: str | None = typer.Option(
            None, "--log-level", help="DEBUG, INFO, WARNING or ERROR."
        ),
        log_format: str | None = typer.Option(None, "--log-format", help="text or json."),
        debug: str | None = typer.Option(
            None,
            "--debug",
            metavar="[=full,hooks]",
            help="Debug output: plan, resolved inputs and outputs, SQL, timings and tracebacks "
            "(redacted). =full keeps every traceback frame; =hooks traces plugin hook calls.",
        ),
        verbose: bool = typer.Option(
            False, "--verbose", "-v", help="Show INFO log lines on a terminal too."
        ),
    ) -> None:
        """Odibi: declarative data pipelines."""
        if log_format is not None and log_format not in ("text", "json"):
            raise typer.BadParameter("must be text or json", param_hint="--log-format")
        if log_level is not None and log_level.upper() not in LOG_LEVELS:
            raise typer.BadParameter(
                f"must be one of {', '.join(LOG_LEVELS)}", param_hint="--log-level"
            )
        from odibi_core.cli.debug_flag import apply_debug_flag

        apply_debug_flag(STATE, debug)
        STATE.log_level = log_level.upper() if log_level else ("DEBUG" if STATE.debug else None)
        STATE.log_format = log_format
        STATE.verbose = verbose

    _add_commands(app, sys.argv[1:] if argv is None else argv, with_plugins=with_plugins)
    return app


_VALUED_OPTIONS = frozenset({"--log-level", "--log-format"})
"""Global options whose value is the next word (``--log-level DEBUG run``)."""


def _command_name(argv: list[str]) -> str | None:
    """The sub-command ``argv`` names (its first word that is not an option), if any."""
    words = iter(argv)
    for word in words:
        if word in _VALUED_OPTIONS:
            next(words, None)
        elif not word.startswith("-"):
            return word
    return None


def _add_commands(app: typer.Typer, argv: list[str], *, with_plugins: bool) -> None:
    """Mount the commands every plugin registers through ``odibi_cli_commands``, builtins first.

    Entry points are only loaded when ``argv`` may need them: never for ``--version`` or a
    builtin command, whose names come from the builtin plugin's registrations. When ``argv``
    names a known command, only that one is mounted (its module alone is imported); help and
    an unknown name mount them all.
    """
    name = _command_name(argv)
    if name is None and "--version" in argv:
        return  # the eager --version option answers before any command is looked at
    from odibi_core.plugins.loader import PluginSettings
    from odibi_core.plugins.manager import create_plugin_manager

    commands = create_plugin_manager(
        PluginSettings(autoload=False), load_entry_points=False
    ).cli_commands()
    if with_plugins and name not in commands:
        from odibi_core.errors import PluginConflictError

        try:
            commands = create_plugin_manager().cli_commands()
        except PluginConflictError:
            raise  # a plugin command named like a builtin (or another's): an error naming both
        except OdibiError as exc:
            from odibi_core.redaction import redact_text

            typer.echo(
                redact_text(f"warning: plugin commands unavailable: {exc.message}"), err=True
            )
    if name in commands:  # the command asked for is the only one its run needs
        commands = {name: commands[name]}
    for command, registered in commands.items():
        _mount(app, command, registered)


def _mount(app: typer.Typer, name: str, registered: Registered[CliCommandSpec]) -> None:
    """Add one registered command (a Typer group or a single command function) to ``app``."""
    try:
        built = registered.spec.app_factory()
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # a plugin's broken command never takes the CLI down
        from odibi_core.plugins.guarded_import import describe_failure
        from odibi_core.redaction import redact_text

        typer.echo(
            redact_text(
                f"warning: plugin {registered.distribution} command {name!r} "
                f"unavailable: {describe_failure(exc)}"
            ),
            err=True,
        )
        return
    help_text = registered.spec.help or None
    if isinstance(built, typer.Typer):
        if help_text is None:
            app.add_typer(built, name=name)
        else:
            app.add_typer(built, name=name, help=help_text)
    else:
        app.command(name, help=help_text)(built)


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; return (and exit with) the documented exit code."""
    code = _invoke(argv)
    if code in (ExitCode.INTERRUPTED, ExitCode.TERMINATED):
        _exit_after_interrupt(code)
    sys.exit(code)


def _error_lines(exc: OdibiError) -> list[str]:
    """One line per problem for an error carrying several (a project's config problems)."""
    problems = getattr(exc, "problems", None)
    return [p.text for p in problems] if problems else [exc.message]


def _reported_above(exc: OdibiError) -> bool:
    """A failed run's nodes were logged with their tracebacks; the CLI's own frames add nothing."""
    from odibi_core.errors import RunFailed

    return isinstance(exc, RunFailed)


def _exit_after_interrupt(code: int) -> None:
    """Exit with ``code`` after an interrupt that was handled.

    CPython remembers a ``KeyboardInterrupt`` raised inside ``exec()`` of a string (dataclasses and
    others do that while modules import) as unhandled even when it was caught, and then kills the
    process with SIGINT at exit: a SIGTERM would end as "killed by SIGINT" instead of 143. So exit
    functions run here (logs and telemetry flushed) and the process exits directly.
    """
    import atexit
    import os

    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(code)


def _click_exceptions() -> tuple[type[Any], type[Any]]:
    """Click's ``ClickException`` and ``UsageError`` as the running Typer raises them.

    Recent Typer versions ship their own copy of click, older ones use click itself; either way
    both classes are ancestors of the public ``typer.BadParameter``, so they are taken from there.
    """
    ancestors = {cls.__name__: cls for cls in typer.BadParameter.__mro__}
    return ancestors["ClickException"], ancestors["UsageError"]


def _check_mask_variable() -> None:
    """Refuse an invalid ``ODIBI_REDACTION_MASK`` before anything runs (exit 3)."""
    from odibi_core.redaction.mask import apply_mask

    try:
        apply_mask()
    except ValueError as exc:
        from odibi_core.errors import ConfigError

        raise ConfigError(str(exc), hint="Unset it or choose a mask such as [REDACTED].") from None


def _interrupted() -> int:
    """Report an interrupt that ended the command outside a run; 130, or 143 after SIGTERM."""
    from odibi_core.execution.interrupts import exit_code_for, last_signal

    code = exit_code_for(last_signal())
    sys.stderr.write("\nterminated\n" if code == ExitCode.TERMINATED else "\ninterrupted\n")
    return code


def _signalled() -> bool:
    """Whether SIGINT or SIGTERM arrived during this command (its failure is then the
    interrupt's)."""
    from odibi_core.execution.interrupts import last_signal

    return last_signal() is not None


def _invoke(argv: list[str] | None) -> int:
    from odibi_core.execution.interrupts import process_handlers

    with process_handlers():
        return _invoke_command(argv)


def _invoke_command(argv: list[str] | None) -> int:
    from odibi_core.cli.debug_flag import bare_debug_flag
    from odibi_core.redaction import redact_text
    from odibi_core.redaction.process import install_process_redaction

    install_process_redaction()
    click_error, usage_error = _click_exceptions()
    argv = bare_debug_flag(sys.argv[1:] if argv is None else argv)
    try:
        _check_mask_variable()
        command = typer.main.get_command(create_app(argv=argv))
        from odibi_core.cli.help_format import plain_metavars

        plain_metavars(command)
        if _command_name(argv) != "run":  # `run` resumes it once its project is loaded
            from odibi_core.cli import collector

            collector.resume()
        returned = command.main(args=argv, prog_name="odibi", standalone_mode=False)
        # without standalone mode Typer returns exit codes (130 for Ctrl-C) instead of exiting
        if returned == ExitCode.INTERRUPTED:
            return _interrupted()
        return int(returned) if isinstance(returned, int) else ExitCode.OK
    except OdibiError as exc:
        if STATE.debug and not _reported_above(exc):
            from odibi_core.logs import format_exception_chain

            sys.stderr.write(format_exception_chain(exc))
        for line in _error_lines(exc):
            sys.stderr.write(redact_text(f"error: {line}") + "\n")
        if exc.hint:
            sys.stderr.write(redact_text(f"hint: {exc.hint}") + "\n")
        if _signalled() and exc.exit_code not in (ExitCode.INTERRUPTED, ExitCode.TERMINATED):
            return _interrupted()  # a library turned the interrupt into an error of its own
        return int(exc.exit_code)
    except typer.Exit as exc:
        return int(exc.exit_code)
    except typer.Abort:
        sys.stderr.write("aborted\n")
        return ExitCode.INTERRUPTED
    except click_error as exc:
        shown = io.StringIO()
        exc.show(file=shown)
        sys.stderr.write(redact_text(shown.getvalue()))
        return ExitCode.USAGE_ERROR if isinstance(exc, usage_error) else int(exc.exit_code)
    except KeyboardInterrupt:
        return _interrupted()
    except Exception as exc:
        from odibi_core.logs import format_exception_chain

        if _signalled():  # e.g. pydantic wraps a KeyboardInterrupt raised while it builds a model
            return _interrupted()
        if STATE.debug:
            sys.stderr.write(format_exception_chain(exc))
        sys.stderr.write(redact_text(f"internal error: {type(exc).__name__}: {exc}") + "\n")
        sys.stderr.write("hint: rerun with --debug for the traceback and report it\n")
        return ExitCode.INTERNAL_ERROR


if __name__ == "__main__":  # pragma: no cover
    main()
