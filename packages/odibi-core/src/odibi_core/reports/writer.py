"""Write the report of a finished run: build, redact, save JSON and HTML, apply retention.

:func:`write_run_report` is what the builtin report plugin (``odibi_core.reports.plugin``)
calls from ``odibi_run_finished``. It never raises: a report that cannot be written costs one
warning line, never the run.
"""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from odibi_core.contracts.lifecycle import FinishedRun
    from odibi_core.reports.store import ReportEntry

logger = logging.getLogger("odibi.reports")


def write_run_report(run: FinishedRun) -> ReportEntry | None:
    """Write the JSON and HTML report of ``run`` if ``reports.enabled``; return where.

    Returns ``None`` when reports are off or the write failed (logged as one warning line).
    """
    settings = run.context.project.reports
    if not settings.enabled:
        return None
    try:
        return _write(run)
    except Exception as exc:
        logger.warning(
            "run report of %s not written: %s: %s", run.result.run_id, type(exc).__name__, exc
        )
        return None


def _write(run: FinishedRun) -> ReportEntry:
    from odibi_core.redaction import redact_text, redact_value
    from odibi_core.reports.builder import build_report
    from odibi_core.reports.html import render_html
    from odibi_core.reports.store import ReportStore, reports_dir

    config, result = run.context.project, run.result
    settings = config.reports
    report = build_report(
        result,
        run.plan,
        project=config.project,
        engine=run.context.engine_name,
        settings=settings,
        plugins=run.plugins,
        environment=run.context.environment,
        state_backend=run.state_backend,
    )
    data = redact_value(report.model_dump(mode="json"))
    json_text = redact_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    data = json.loads(json_text)  # redaction must never leave a report that cannot be read back
    html_text = redact_text(render_html(data))
    store = ReportStore(reports_dir(run.project_dir, settings))
    entry = store.save(result.pipeline, result.run_id, json_text, html_text)
    deleted = store.prune(
        result.pipeline,
        keep_last=settings.keep_last,
        max_age_days=settings.max_age_days,
        protect=result.run_id,
    )
    logger.info(
        "run report: %s%s",
        entry.html_path,
        f" ({len(deleted)} old report(s) removed)" if deleted else "",
    )
    return entry
