"""Checks that need no project: Python, installed packages and plugins."""

from __future__ import annotations

import platform
import sys
from importlib import metadata
from typing import TYPE_CHECKING

from odibi_core.doctor.model import FAIL, INFO, OK, DoctorReport

if TYPE_CHECKING:
    from odibi_core.plugins.manager import OdibiPluginManager

CORE_DEPENDENCIES = (
    "pluggy",
    "pydantic",
    "typer",
    "rich",
    "pyyaml",
    "packaging",
    "pyarrow",
    "duckdb",
)
"""Distributions odibi-core needs at run time (their versions are shown)."""

MIN_PYTHON = (3, 10)


def check_environment(report: DoctorReport) -> None:
    """Python version and the versions of odibi-core and what it depends on."""
    version = platform.python_version()
    ok = sys.version_info[:2] >= MIN_PYTHON
    report.add(
        "environment",
        "python",
        OK if ok else FAIL,
        f"{version} ({sys.executable})" if ok else f"{version}: Odibi needs Python 3.10 or newer",
        {"version": version, "executable": sys.executable},
    )
    report.add("environment", "platform", INFO, platform.platform(terse=True))
    for dist in ("odibi-core", *CORE_DEPENDENCIES):
        try:
            installed = metadata.version(dist)
        except metadata.PackageNotFoundError:
            report.add("environment", dist, FAIL, "not installed", {"version": None})
            continue
        report.add("environment", dist, OK, installed, {"version": installed})


def check_plugins(report: DoctorReport, pm: OdibiPluginManager) -> None:
    """Every plugin with its status; registration conflicts."""
    from odibi_core.errors import PluginError
    from odibi_core.plugins.loader import BUILTIN_DISTRIBUTION, STATUS_ACTIVE, STATUS_BLOCKED

    for info in pm.plugins:
        label = f"{info.distribution} {info.version}"
        if info.status == STATUS_ACTIVE:
            what = "builtin" if info.distribution == BUILTIN_DISTRIBUTION else "active"
            report.add(
                "plugins",
                info.name,
                OK,
                f"{label} {what}: {', '.join(info.hooks) or 'no hooks'}",
                info.as_dict(),
            )
        elif info.status == STATUS_BLOCKED:
            report.add(
                "plugins", info.name, INFO, f"{label} blocked: {info.reason}", info.as_dict()
            )
        else:
            report.add("plugins", info.name, FAIL, f"{label} failed: {info.reason}", info.as_dict())
    try:
        pm.check_conflicts()
    except PluginError as exc:
        report.add("plugins", "registrations", FAIL, exc.message)
