"""Shared CLI plumbing: global options, loading a project with its plugin manager, output."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import typer

if TYPE_CHECKING:
    from odibi_core.config.loader import LoadedProject, ProjectSource
    from odibi_core.plugins.manager import OdibiPluginManager


@dataclass
class GlobalOptions:
    """Options given before the sub-command."""

    log_level: str | None = None
    log_format: str | None = None
    debug: bool = False
    debug_full: bool = False
    trace_hooks: bool = False
    verbose: bool = False


STATE = GlobalOptions()
"""The current invocation's global options (set by the root callback)."""

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
"""Levels ``--log-level`` and ``logging.level`` accept."""

PROJECT_ARG = typer.Argument(
    None,
    help="Project file, or a folder holding odibi.yaml (default: the nearest odibi.yaml in "
    "this folder or a parent folder).",
)
"""The optional ``PROJECT`` argument every project command takes."""


def load(
    project: str | None, environment: str | None = None, *, with_progress: bool = False
) -> tuple[LoadedProject, OdibiPluginManager]:
    """Load a project exactly as ``odibi run`` does, and configure logging from it.

    ``with_progress`` adds the live progress plugin when stderr is a terminal.
    """
    from odibi_core.config.loader import build_project, read_project_source
    from odibi_core.plugins.manager import create_plugin_manager

    source = read_project_source(project, environment=environment)
    configure_logging_for(source)
    _log_source(source)
    extra: list[tuple[str, object]] = []
    if with_progress and is_tty() and (STATE.log_format or "text") == "text":
        from odibi_core.cli.progress import ProgressPlugin

        extra.append(("odibi-progress", ProgressPlugin()))
    pm = create_plugin_manager(source.plugin_settings(), extra_plugins=extra)
    return build_project(source, pm), pm


def _log_source(source: ProjectSource) -> None:
    """Debug line: which files make up the project, in which environment."""
    import logging

    log = logging.getLogger("odibi.config")
    if log.isEnabledFor(logging.DEBUG):
        from odibi_core.redaction.shorten import clip

        env = f", environment {source.environment}" if source.environment else ""
        log.debug("project %s%s: %s", source.path, env, clip(", ".join(source.files), 300))


def configure_logging_for(source: ProjectSource | None) -> None:
    """Configure logging from the global options, else the project's ``logging:`` section."""
    from odibi_core.logs import configure_logging

    section = source.data.get("logging") if source is not None else None
    logging_section = section if isinstance(section, dict) else {}
    # an invalid YAML value is reported by the project model at its line; log meanwhile at INFO
    level = str(logging_section.get("level", "INFO")).upper()
    fmt = STATE.log_format or str(logging_section.get("format", "text"))
    fmt = fmt if fmt in ("text", "json") else "text"
    log_file = logging_section.get("file")
    configure_logging(
        STATE.log_level or (level if level in LOG_LEVELS else "INFO"),
        fmt,
        console_level=console_threshold(fmt),
        trace_hooks=STATE.trace_hooks,
        file=source.project_dir / log_file
        if source is not None and isinstance(log_file, str) and log_file
        else None,
    )
    if source is not None:
        import logging
        from pathlib import Path

        folder, cwd = source.path.parent.resolve(), Path.cwd().resolve()
        where = (
            " (found in a parent folder of the working directory)" if folder in cwd.parents else ""
        )
        logging.getLogger("odibi.config").debug("project file %s%s", source.path.resolve(), where)


def console_threshold(fmt: str) -> str | None:
    """The lowest level the console shows, if it is higher than the loggers' level.

    On a terminal the live progress and the run summary say what INFO lines would repeat, so
    text logs show WARNING and above there unless ``-v``, ``--log-level`` or ``--debug`` asks for
    more. In a pipe or CI log (no terminal), and for JSON logs, every line at the configured level
    is written, as before.
    """
    asked = STATE.verbose or STATE.debug or STATE.log_level is not None
    return "WARNING" if fmt == "text" and is_tty() and not asked else None


def echo(text: str = "", *, err: bool = False) -> None:
    """Print redacted text to stdout (or stderr)."""
    from odibi_core.redaction import redact_text

    typer.echo(redact_text(text), err=err)


def echo_json(data: Any) -> None:
    """Print redacted JSON to stdout."""
    from odibi_core.redaction import redact_value

    typer.echo(json.dumps(redact_value(data), indent=2, default=str))


def is_tty() -> bool:
    """Whether stderr is a terminal (progress is only drawn then)."""
    return sys.stderr.isatty()
