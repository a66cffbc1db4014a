"""Build a :class:`~odibi_core.reports.model.RunReport` from what a run already produced.

Everything comes from the :class:`~odibi_core.contracts.lifecycle.RunResult` (node results with
their SQL, schemas, validations, samples), the plan (graph and layers) and the project: building
a report touches no data.
"""

from __future__ import annotations

import os
import platform
import socket
from typing import TYPE_CHECKING

from odibi_core.contracts.state import utc_now
from odibi_core.identity import current_user
from odibi_core.reports.model import (
    NODE_STATUS_ORDER,
    Column,
    ColumnChange,
    ColumnProfile,
    Graph,
    NodeErrorInfo,
    NodeReport,
    PluginVersion,
    Profile,
    ReportSettings,
    RunReport,
    Sample,
    Totals,
    Validation,
    Versions,
    Who,
)

if TYPE_CHECKING:
    from odibi_core.config.models import NodeConfig, ReportsConfig
    from odibi_core.contracts.lifecycle import NodeResult, RunResult
    from odibi_core.contracts.requests import ColumnInfo
    from odibi_core.planning.dag import Plan
    from odibi_core.plugins.loader import PluginInfo


def build_report(
    result: RunResult,
    plan: Plan,
    *,
    project: str,
    engine: str,
    settings: ReportsConfig,
    plugins: list[PluginInfo],
    environment: str | None = None,
    state_backend: str | None = None,
) -> RunReport:
    """The report of one finished pipeline run.

    Args:
        result: What the run did.
        plan: The plan it ran (graph, layers, node configs).
        project: The project's name.
        engine: The engine used.
        settings: The ``reports:`` settings in effect.
        plugins: Installed plugins (``OdibiPluginManager.plugins``).
        environment: The ``--env`` overlay, if any.
        state_backend: The state backend in use, if any.
    """
    from odibi_core import __version__

    order = [n for n in result.order if n in result.nodes]
    layer_of = {name: i for i, layer in enumerate(plan.layers, 1) for name in layer}
    layers = [[n for n in layer if n in result.nodes] for layer in plan.layers]
    nodes: list[NodeReport] = []
    by_name: dict[str, NodeReport] = {}
    for name in order:
        node = _node_report(
            result.nodes[name], plan.nodes[name], plan.upstream[name], layer_of[name], by_name
        )
        nodes.append(node)
        by_name[name] = node
    return RunReport(
        run_id=result.run_id,
        project=project,
        pipeline=result.pipeline,
        description=plan.pipeline.description,
        status=result.status,
        started_at=result.started_at,
        finished_at=result.finished_at,
        duration_s=result.duration_s,
        generated_at=utc_now(),
        environment=environment,
        engine=engine,
        state_backend=state_backend,
        who=Who(user=current_user(), host=socket.gethostname(), pid=os.getpid()),
        versions=Versions(
            python=platform.python_version(),
            platform=platform.platform(terse=True),
            odibi_core=__version__,
            plugins=_plugin_versions(plugins),
        ),
        settings=ReportSettings(
            samples=settings.samples, sample_rows=settings.sample_rows, profile=settings.profile
        ),
        totals=_totals(nodes),
        graph=Graph(
            layers=[layer for layer in layers if layer],
            edges=[[up, name] for name in order for up in plan.upstream[name] if up in by_name],
        ),
        nodes=nodes,
    )


def _node_report(
    result: NodeResult,
    config: NodeConfig,
    upstream: list[str],
    layer: int,
    done: dict[str, NodeReport],
) -> NodeReport:
    base = [_column(c) for c in result.schema_in]
    if not base and config.read is None:  # several inputs: what came in is the upstream outputs
        base = _union([done[u].schema_out for u in upstream if u in done])
    schema_out = [_column(c) for c in result.schema_out]
    before = {c.name: c.type for c in base}
    after = {c.name: c.type for c in schema_out}
    profile = _profile(result.profile)
    rows_out = result.rows_out
    if rows_out is None and profile is not None and profile.rows is not None:
        rows_out = profile.rows
    rows_in = result.rows_in
    if rows_in is None and config.read is None and upstream and all(u in done for u in upstream):
        counts = [done[u].rows_out for u in upstream]
        rows_in = (
            sum(c for c in counts if c is not None) if all(c is not None for c in counts) else None
        )
    return NodeReport(
        name=result.name,
        description=config.description,
        status=result.status,
        layer=layer,
        depends_on=list(upstream),
        started_at=result.started_at,
        finished_at=result.finished_at,
        duration_s=result.duration_s,
        rows_in=rows_in,
        rows_out=rows_out,
        output=result.output,
        rows_written=result.rows_written,
        rows_total=result.rows_total,
        sensitive=config.sensitive,
        fingerprint=result.fingerprint,
        skipped_reason=result.skipped_reason,
        sql=list(result.sql),
        schema_in=base,
        schema_out=schema_out,
        columns_added=[n for n in after if n not in before] if schema_out and base else [],
        columns_removed=[n for n in before if n not in after] if schema_out and base else [],
        columns_changed=[
            ColumnChange(name=n, before=before[n], after=t)
            for n, t in after.items()
            if n in before and before[n] != t
        ],
        validations=[
            Validation(rule=v.rule, passed=v.passed, detail=v.detail, failing_rows=v.failing_rows)
            for v in result.validations
        ],
        sample=_sample(result, config),
        sample_note=result.sample_note,
        profile=profile,
        error=NodeErrorInfo(
            type=result.error_type,
            message=result.error,
            step=result.error_step,
            sql=result.error_sql,
            hint=result.error_hint,
        )
        if result.error
        else None,
    )


def _column(info: ColumnInfo) -> Column:
    return Column(name=info.name, type=info.type)


def _union(schemas: list[list[Column]]) -> list[Column]:
    seen: dict[str, Column] = {}
    for schema in schemas:
        for column in schema:
            seen.setdefault(column.name, column)
    return list(seen.values())


def _sample(result: NodeResult, config: NodeConfig) -> Sample | None:
    if result.sample is None:
        return None
    columns = [c.name for c in result.schema_out] or (
        list(result.sample[0]) if result.sample else []
    )
    return Sample(
        columns=columns,
        rows=list(result.sample),
        masked_columns=list(config.mask_columns),
        failing_rules=list(result.sample_failing),
    )


def _profile(data: dict[str, object] | None) -> Profile | None:
    if data is None:
        return None
    if "error" in data:
        return Profile(error=str(data["error"]))
    columns = [ColumnProfile.model_validate(c) for c in data.get("columns", [])]  # type: ignore[attr-defined]
    return Profile(rows=data.get("rows"), columns=columns)


def _totals(nodes: list[NodeReport]) -> Totals:
    counts = {status: sum(1 for n in nodes if n.status == status) for status in NODE_STATUS_ORDER}
    return Totals(
        nodes=len(nodes),
        **counts,
        rows_written=sum(n.rows_written or 0 for n in nodes if n.status == "success"),
        failed_nodes=[n.name for n in nodes if n.status == "failed"],
    )


def _plugin_versions(plugins: list[PluginInfo]) -> list[PluginVersion]:
    from odibi_core.plugins.loader import BUILTIN_DISTRIBUTION

    return [
        PluginVersion(name=p.name, distribution=p.distribution, version=p.version, status=p.status)
        for p in plugins
        if p.distribution != BUILTIN_DISTRIBUTION
    ]
