"""Find a project's reports without loading (or needing the secrets of) the whole project.

``odibi story`` and ``odibi doctor`` only need the ``reports:`` section, so they read it from the
parsed project and resolve ``${env:...}`` references in it alone: a missing warehouse password
must not stop anyone from reading last night's report.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from odibi_core.errors import ConfigError

if TYPE_CHECKING:
    from odibi_core.config.loader import ProjectSource
    from odibi_core.config.models import ReportsConfig
    from odibi_core.reports.store import ReportStore


def reports_settings(source: ProjectSource) -> ReportsConfig:
    """The validated ``reports:`` section of ``source`` (references in it resolved from the
    environment)."""
    from pydantic import ValidationError

    from odibi_core.config.errors import raise_validation_error
    from odibi_core.config.loader import secret_lookup
    from odibi_core.config.locations import format_path
    from odibi_core.config.models import ReportsConfig
    from odibi_core.config.references import resolve_references

    section = source.data.get("reports")
    if section is None:
        return ReportsConfig()
    lookup = secret_lookup(source, None)
    missing: list[str] = []
    resolved = resolve_references(
        section,
        lambda kind, name: lookup(kind, name) if kind == "env" else None,
        lambda kind, name, path: missing.append(
            f"{format_path(('reports', *path))}: ${{{kind}:{name}}}"
        ),
        lambda *_: None,
    )
    if missing:
        raise ConfigError(
            "unresolved references in reports: " + "; ".join(missing),
            hint="The reports section may use ${env:NAME} references only.",
        )
    try:
        return ReportsConfig.model_validate(resolved)
    except ValidationError as exc:
        raise_validation_error(exc, resolved, source.locations, ReportsConfig, prefix=("reports",))


def project_report_store(source: ProjectSource) -> ReportStore:
    """The report store of the project ``source`` describes."""
    from odibi_core.reports.store import ReportStore, reports_dir

    return ReportStore(reports_dir(source.project_dir, reports_settings(source)))
