"""``odibi run``, ``odibi validate`` and ``odibi graph``."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from odibi_core.cli.commands.validate import validate
from odibi_core.cli.context import PROJECT_ARG, echo, echo_json, load

if TYPE_CHECKING:
    from odibi_core.contracts.lifecycle import NodeResult, RunResult
    from odibi_core.execution.runner import ProjectRunner
    from odibi_core.planning.dag import Plan

ENV_OPT = typer.Option(
    None, "--env", "-e", metavar="NAME", help="Overlay environments.NAME from the project file."
)
PIPELINE_OPT = typer.Option(
    None, "--pipeline", "-p", metavar="NAME", help="Run only this pipeline (repeatable)."
)
SHOW_PIPELINE_OPT = typer.Option(
    None, "--pipeline", "-p", metavar="NAME", help="Show only this pipeline (repeatable)."
)
SELECT_OPT = typer.Option(
    None,
    "--select",
    "-s",
    "--node",
    "-n",
    metavar="SELECTOR",
    help="Run these nodes and their ancestors (repeatable, or comma-separated): NAME, tag:TAG, "
    "pipeline:NAME; NAME+ adds descendants, +NAME ancestors (always included: a node needs "
    "its inputs).",
)
EXCLUDE_OPT = typer.Option(
    None,
    "--exclude",
    "-x",
    metavar="SELECTOR",
    help="Leave out these nodes and every node downstream of them (repeatable; same "
    "selectors as --select).",
)


def register(app: typer.Typer) -> None:
    """Add ``run``, ``validate`` and ``graph`` to ``app``."""
    app.command("run")(run)
    app.command("validate")(validate)
    app.command("graph")(graph)


def run(
    project: str | None = PROJECT_ARG,
    env: str | None = ENV_OPT,
    pipeline: list[str] | None = PIPELINE_OPT,
    node: list[str] | None = SELECT_OPT,
    exclude: list[str] | None = EXCLUDE_OPT,
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Validate and show the plan; touch no data or state."
    ),
    workers: int | None = typer.Option(
        None,
        "--workers",
        "-w",
        min=1,
        metavar="N",
        help="Nodes run at once (default: project's workers, 4).",
    ),
    resume: bool = typer.Option(
        False,
        "--resume",
        help="Reuse nodes whose config, sources and upstream nodes are unchanged since they "
        "succeeded and whose output exists.",
    ),
    full_refresh: bool = typer.Option(
        False,
        "--full-refresh",
        help="Ignore high-water marks and rebuild append/upsert targets (all nodes, or the "
        "--select selection).",
    ),
    lock_timeout: float | None = typer.Option(
        None,
        "--lock-timeout",
        min=0,
        metavar="SECONDS",
        help="Seconds to wait for a held lock (default 60; env ODIBI_LOCK_TIMEOUT).",
    ),
    no_wait: bool = typer.Option(
        False, "--no-wait", help="Fail at once if the pipeline is already running."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the run summary as JSON."),
) -> None:
    """Run pipelines of a project."""
    from odibi_core.cli.resume_output import failure_hint, print_resume_preview
    from odibi_core.errors import RunFailed, UsageError
    from odibi_core.execution.cancellation import RunCancellation
    from odibi_core.execution.interrupts import stop_runs_cleanly
    from odibi_core.execution.runner import ProjectRunner, RunOptions

    if resume and full_refresh:
        raise UsageError("--resume and --full-refresh contradict each other: choose one")
    loaded, pm = load(project, env, with_progress=True)
    from odibi_core.cli import collector

    cancellation = RunCancellation()
    options = RunOptions(
        pipelines=list(pipeline or []),
        nodes=list(node or []),
        exclude=list(exclude or []),
        workers=workers,
        resume=resume,
        lock_timeout=lock_timeout,
        wait_for_lock=not no_wait,
        environment=env,
        full_refresh=full_refresh,
        cancellation=cancellation,
        # the start-up is over once the first pipeline's nodes start: its state is read and
        # every plugin set up (see odibi_core.cli.collector)
        on_work_start=collector.resume,
    )
    runner = ProjectRunner(loaded, pm, options)
    if exclude:
        _note_excluded_downstream(runner)
    if dry_run:
        plans = runner.plans()
        for plan in plans:
            _print_plan(plan)
        if resume:
            from odibi_core.execution.resume_plan import preview_resume

            print_resume_preview(preview_resume(runner))
            echo(
                "dry run: no data was read or written and nothing was recorded "
                "(state was only read)"
            )
            return
        echo("dry run: nothing was read, written or recorded")
        return
    if loaded.state_backend is None:
        from odibi_core.state.session import STATE_PACKAGE_HINT

        echo(f"note: run history is off ({STATE_PACKAGE_HINT})", err=True)
    with stop_runs_cleanly(cancellation):
        results = runner.run()
        cancellation.armed = (
            True  # the run is recorded: a signal now must not cut the summary short
        )
        _print_results(results, runner, as_json)
    if runner.interrupted:
        raise cancellation.error()
    failed = [r for r in results if not r.ok]
    if failed:
        names = ", ".join(f"{r.pipeline} ({r.run_id})" for r in failed)
        hint = failure_hint(results, state_on=runner.state_location is not None, resumed=resume)
        raise RunFailed(f"pipeline run failed: {names}", hint=hint)


def graph(
    project: str | None = PROJECT_ARG,
    env: str | None = ENV_OPT,
    pipeline: list[str] | None = SHOW_PIPELINE_OPT,
    fmt: str = typer.Option(
        "text", "--format", "-f", metavar="FORMAT", help="text, mermaid or dot."
    ),
) -> None:
    """Print the pipeline graph as text, Mermaid or Graphviz dot (one diagram, a subgraph per
    pipeline)."""
    from odibi_core.errors import UsageError
    from odibi_core.execution.runner import ProjectRunner, RunOptions
    from odibi_core.planning.render import render_dot, render_mermaid, render_text

    if fmt not in ("text", "mermaid", "dot"):
        raise UsageError(f"unknown graph format {fmt!r}; use text, mermaid or dot")
    loaded, pm = load(project, env)
    plans = ProjectRunner(loaded, pm, RunOptions(pipelines=list(pipeline or []))).plans()
    if fmt == "mermaid":
        echo(render_mermaid(plans))
    elif fmt == "dot":
        echo(render_dot(plans))
    else:
        for plan in plans:
            echo(render_text(plan))


def _note_excluded_downstream(runner: ProjectRunner) -> None:
    """Say which selected nodes ``--exclude`` also leaves out (they need an excluded node)."""
    from odibi_core.planning.dag import build_plan
    from odibi_core.planning.selection import left_out_downstream, parse_selectors

    select, exclude = parse_selectors(runner.options.nodes), parse_selectors(runner.options.exclude)
    for plan in runner.plans():
        full = build_plan(plan.pipeline, strict=False)
        dropped = left_out_downstream(full, select, exclude)
        if dropped:
            echo(
                f"note: pipeline {plan.pipeline.pipeline}: --exclude also leaves out "
                f"{', '.join(dropped)} (downstream of an excluded node)",
                err=True,
            )


def _print_results(results: list[RunResult], runner: ProjectRunner, as_json: bool) -> None:
    if as_json:
        echo_json([_result_dict(r) for r in results])
        return
    for result in results:
        _print_result(result)
    if runner.state_location is not None:
        from odibi_core.cli.commands.state import display_path

        backend_name, _, location = runner.state_location.partition(" state at ")
        echo(f"run history: {backend_name} state at {display_path(location)}")


def _print_plan(plan: Plan) -> None:
    echo(
        f"pipeline {plan.pipeline.pipeline}: {len(plan.order)} node(s) in {len(plan.layers)} "
        "layer(s)"
    )
    for i, layer in enumerate(plan.layers, 1):
        chosen = [n for n in layer if n in plan.selected]
        if chosen:
            echo(f"  layer {i}: {', '.join(chosen)}")


def _print_result(result: RunResult) -> None:
    from odibi_core.execution.failure import format_failure

    echo(
        f"pipeline {result.pipeline} run {result.run_id}: {result.status} in "
        f"{result.duration_s:.2f}s"
    )
    width = max((len(n) for n in result.order), default=4)
    status_width = max([9, *(len(n.status) for n in result.nodes.values())])
    for name in result.order:
        node = result.nodes[name]
        extra = (node.error or "").split("\n", 1)[0] or node.skipped_reason or ""
        echo(
            f"  {name:<{width}}  {node.status:<{status_width}} {row_counts(node):>14}  "
            f"{node.duration_s:7.2f}s  {extra}".rstrip()
        )
    for name in result.order:
        if result.nodes[name].status == "failed":
            echo("\n".join(format_failure(result.nodes[name])))
    if result.report:
        echo(f"  report: {result.report}")


def row_counts(node: NodeResult) -> str:
    """``N rows`` written by this run, with the target's total when it differs (``append``), or
    the rows read by a node that writes nothing; empty when nothing was counted."""
    if node.status == "unchanged":
        return ""
    if node.rows_written is not None:
        total = node.rows_total
        shown = f" (target {total})" if total not in (None, node.rows_written) else ""
        return f"{node.rows_written} rows{shown}"
    rows = node.rows_out if node.rows_out is not None else node.rows_in
    return "" if rows is None else f"{rows} rows"


def _result_dict(result: RunResult) -> dict[str, object]:
    from dataclasses import asdict

    return asdict(result)
