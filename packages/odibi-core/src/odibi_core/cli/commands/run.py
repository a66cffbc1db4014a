"""``odibi run``, ``odibi validate`` and ``odibi graph``."""

from __future__ import annotations

from typing import TYPE_CHECKING, List, Optional

import typer

from odibi_core.cli.context import PROJECT_ARG, echo, echo_json, load

if TYPE_CHECKING:
    from odibi_core.contracts.lifecycle import RunResult
    from odibi_core.planning.dag import Plan

ENV_OPT = typer.Option(None, "--env", "-e", help="Overlay environments.NAME from the project file.")
PIPELINE_OPT = typer.Option(None, "--pipeline", "-p", help="Run only this pipeline (repeatable).")


def register(app: typer.Typer) -> None:
    """Add ``run``, ``validate`` and ``graph`` to ``app``."""
    app.command("run")(run)
    app.command("validate")(validate)
    app.command("graph")(graph)


def run(
    project: Optional[str] = PROJECT_ARG,
    env: Optional[str] = ENV_OPT,
    pipeline: Optional[List[str]] = PIPELINE_OPT,
    node: Optional[List[str]] = typer.Option(
        None, "--node", "-n", help="Run this node and its ancestors (repeatable); NAME+ adds its descendants."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Validate and show the plan; touch no data or state."),
    workers: Optional[int] = typer.Option(None, "--workers", "-w", min=1, help="Nodes run at once (default: project's workers, 4)."),
    resume: bool = typer.Option(False, "--resume", help="Skip nodes that succeeded last time, are unchanged and whose output exists."),
    lock_timeout: Optional[float] = typer.Option(None, "--lock-timeout", min=0, help="Seconds to wait for a held lock (default 60; env ODIBI_LOCK_TIMEOUT)."),
    no_wait: bool = typer.Option(False, "--no-wait", help="Fail at once if the pipeline is already running."),
    as_json: bool = typer.Option(False, "--json", help="Print the run summary as JSON."),
) -> None:
    """Run pipelines of a project."""
    from odibi_core.errors import RunFailed
    from odibi_core.execution.runner import ProjectRunner, RunOptions

    loaded, pm = load(project, env, with_progress=True)
    options = RunOptions(
        pipelines=list(pipeline or []), nodes=list(node or []), workers=workers, resume=resume,
        lock_timeout=lock_timeout, wait_for_lock=not no_wait, environment=env,
    )
    runner = ProjectRunner(loaded, pm, options)
    if dry_run:
        plans = runner.plans()
        for plan in plans:
            _print_plan(plan)
        echo("dry run: nothing was read, written or recorded")
        return
    if loaded.state_backend is None:
        from odibi_core.state.session import STATE_PACKAGE_HINT

        echo(f"note: run history is off ({STATE_PACKAGE_HINT})", err=True)
    results = runner.run()
    if as_json:
        echo_json([_result_dict(r) for r in results])
    else:
        for result in results:
            _print_result(result)
        if runner.state_location is not None:
            from odibi_core.cli.commands.state import display_path

            backend_name, _, location = runner.state_location.partition(" state at ")
            echo(f"run history: {backend_name} state at {display_path(location)}")
    failed = [r for r in results if not r.ok]
    if failed:
        names = ", ".join(f"{r.pipeline} ({r.run_id})" for r in failed)
        raise RunFailed(f"pipeline run failed: {names}", hint="See the node errors above; `odibi run --resume` reruns only what is needed.")


def validate(
    project: Optional[str] = PROJECT_ARG,
    env: Optional[str] = ENV_OPT,
) -> None:
    """Check a project (YAML, references, plugins, graph) without touching data or state."""
    from odibi_core.execution.runner import ProjectRunner, RunOptions
    from odibi_core.transforms import load_project_transforms

    loaded, pm = load(project, env)
    pm.check_conflicts()
    plans = ProjectRunner(loaded, pm, RunOptions()).plans()
    transforms = {**{n: r.spec for n, r in pm.transforms().items()}, **load_project_transforms(loaded.project_dir)}
    _check_functions(plans, transforms)
    nodes = sum(len(p.nodes) for p in plans)
    echo(f"{loaded.source.files[0]}: valid ({len(plans)} pipeline(s), {nodes} node(s), engine {loaded.config.engine})")


def _check_functions(plans: list[Plan], transforms: dict[str, object]) -> None:
    from odibi_core.config.models import FunctionStep
    from odibi_core.config.suggestions import did_you_mean
    from odibi_core.errors import ConfigError

    for plan in plans:
        for node in plan.nodes.values():
            for step in node.transform.steps if node.transform else []:
                if isinstance(step, FunctionStep) and step.function not in transforms:
                    raise ConfigError(
                        f"pipeline {plan.pipeline.pipeline}, node {node.name}: unknown Python step "
                        f"{step.function!r}{did_you_mean(step.function, transforms)}",
                        hint="Define it with @transform in transforms.py beside the project file.",
                    )


def graph(
    project: Optional[str] = PROJECT_ARG,
    env: Optional[str] = ENV_OPT,
    pipeline: Optional[List[str]] = PIPELINE_OPT,
    fmt: str = typer.Option("text", "--format", "-f", help="text, mermaid or dot."),
) -> None:
    """Print the pipeline graph as text, Mermaid or Graphviz dot."""
    from odibi_core.errors import UsageError
    from odibi_core.execution.runner import ProjectRunner, RunOptions
    from odibi_core.planning.render import render_dot, render_mermaid, render_text

    renderers = {"text": render_text, "mermaid": render_mermaid, "dot": render_dot}
    if fmt not in renderers:
        raise UsageError(f"unknown graph format {fmt!r}; use text, mermaid or dot")
    loaded, pm = load(project, env)
    for plan in ProjectRunner(loaded, pm, RunOptions(pipelines=list(pipeline or []))).plans():
        echo(renderers[fmt](plan))


def _print_plan(plan: Plan) -> None:
    echo(f"pipeline {plan.pipeline.pipeline}: {len(plan.order)} node(s) in {len(plan.layers)} layer(s)")
    for i, layer in enumerate(plan.layers, 1):
        chosen = [n for n in layer if n in plan.selected]
        if chosen:
            echo(f"  layer {i}: {', '.join(chosen)}")


def _print_result(result: RunResult) -> None:
    echo(f"pipeline {result.pipeline} run {result.run_id}: {result.status} in {result.duration_s:.2f}s")
    width = max((len(n) for n in result.order), default=4)
    for name in result.order:
        node = result.nodes[name]
        rows = "" if node.rows_out is None else f"{node.rows_out} rows"
        extra = node.error or node.skipped_reason or ""
        echo(f"  {name:<{width}}  {node.status:<9} {rows:>14}  {node.duration_s:7.2f}s  {extra}".rstrip())
    if result.report:
        echo(f"  report: {result.report}")


def _result_dict(result: RunResult) -> dict[str, object]:
    from dataclasses import asdict

    return asdict(result)
