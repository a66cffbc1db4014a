"""The kernel's own ``odibi doctor`` checks, registered through ``odibi_doctor_checks``.

Python and packages, every plugin's status, and (when a project is checked) its file, secrets,
configuration, inputs, connections, state and reports. Marked ``tryfirst`` so these lines come
before the ones plugins contribute.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from odibi_core.plugins.hookspecs import hookimpl

if TYPE_CHECKING:
    from odibi_core.plugins.types import DoctorCheck, DoctorContext


@hookimpl(tryfirst=True)
def odibi_doctor_checks(context: DoctorContext) -> list[DoctorCheck]:
    """The builtin checks, as doctor lines."""
    from odibi_core.config.loader import DEFAULT_PROJECT_FILE
    from odibi_core.doctor.environment import check_environment, check_plugins
    from odibi_core.doctor.model import FAIL, INFO, DoctorReport
    from odibi_core.doctor.project import check_project

    report = DoctorReport()
    check_environment(report)
    if context.source_problem is not None:
        report.add("project", "file", FAIL, context.source_problem)
    check_plugins(report, context.plugin_manager)
    if context.source is not None:
        check_project(report, context.source, context.plugin_manager)
    elif not context.project_given:
        report.add(
            "project",
            "file",
            INFO,
            f"no {DEFAULT_PROJECT_FILE} here: environment checks only "
            "(pass a project file or folder to check it)",
        )
    return [line.as_check() for line in report.lines]
