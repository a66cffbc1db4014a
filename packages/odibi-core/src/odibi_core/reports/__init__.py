"""Run reports: a JSON record and a self-contained HTML page of every pipeline run.

* :mod:`~odibi_core.reports.model` - the report's data model and published JSON schema.
* :mod:`~odibi_core.reports.observe` - samples and profiles taken while a node runs.
* :mod:`~odibi_core.reports.builder` - a report from a run's result and plan.
* :mod:`~odibi_core.reports.html` and :mod:`~odibi_core.reports.graph_svg` - the HTML page.
* :mod:`~odibi_core.reports.store` - files, listing, retention.
* :mod:`~odibi_core.reports.writer` - :func:`~odibi_core.reports.writer.write_run_report`, called by
  ``odibi_core.reports.plugin`` (the builtin reporter, an ``odibi_run_finished`` hook).
"""
