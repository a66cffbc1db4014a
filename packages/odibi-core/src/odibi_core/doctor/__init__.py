"""``odibi doctor``: check the environment and a project without running anything.

:func:`run_doctor` collects a :class:`~odibi_core.doctor.model.DoctorReport`; the CLI prints it
and exits with ``ExitCode.CHECKS_FAILED`` when a line failed. It never stops at the first
problem: a missing secret, a broken plugin or an unreachable state store is one line among others.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from odibi_core.doctor.model import FAIL, INFO, OK, WARN, DoctorLine, DoctorReport

if TYPE_CHECKING:
    from odibi_core.plugins.loader import PluginSettings
    from odibi_core.plugins.manager import OdibiPluginManager

__all__ = ["FAIL", "INFO", "OK", "WARN", "DoctorLine", "DoctorReport", "run_doctor"]


def run_doctor(
    project: str | None = None,
    *,
    environment: str | None = None,
    plugin_manager: Callable[[PluginSettings | None], OdibiPluginManager] | None = None,
) -> DoctorReport:
    """Check Python, packages, plugins and (if given or found in the cwd) a project.

    Args:
        project: Project file or folder; ``None`` checks ``./odibi.yaml`` if it exists, else only
            the environment.
        environment: ``--env`` overlay to apply to the project.
        plugin_manager: Builds the plugin manager from the project's plugin settings (default:
            :func:`~odibi_core.plugins.manager.create_plugin_manager`; embedders and tests pass
            theirs).
    """
    from odibi_core.config.loader import DEFAULT_PROJECT_FILE, read_project_source
    from odibi_core.doctor.environment import check_environment
    from odibi_core.errors import OdibiError
    from odibi_core.plugins.manager import create_plugin_manager
    from odibi_core.plugins.types import DoctorContext

    report = DoctorReport()
    source, problem = None, None
    if project is not None or (Path.cwd() / DEFAULT_PROJECT_FILE).exists():
        try:
            source = read_project_source(project, environment=environment)
        except OdibiError as exc:
            problem = exc.message
    try:
        pm = (plugin_manager or create_plugin_manager)(
            source.plugin_settings() if source is not None else None
        )
    except OdibiError as exc:
        check_environment(
            report
        )  # the builtin checks' plugin needs a manager: check what needs none
        if problem is not None:
            report.add("project", "file", FAIL, problem)
        report.add("plugins", "plugin manager", FAIL, exc.message)
        return report
    context = DoctorContext(
        pm, source, problem, project_given=project is not None, environment=environment
    )
    checks = pm.doctor_checks(context)
    for check in checks:
        report.add(check.section, check.name, check.level, check.detail, check.data)
    if not any(check.section == "telemetry" for check in checks):
        report.add(
            "telemetry",
            "plugin",
            INFO,
            "no telemetry plugin reports settings (odibi-otel adds traces and metrics)",
        )
    return report
