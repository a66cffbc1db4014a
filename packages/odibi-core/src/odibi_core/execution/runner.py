"""Run pipelines: plan, lock, resume, execute nodes in parallel through the hooks, record.

Nodes start as soon as their dependencies finish (bounded by ``workers``); each runs in a worker
thread with the ``contextvars`` of the pipeline run copied in, so lifecycle plugins keep their
span or logging context. An output frame is released as soon as no selected dependent needs it.
A node whose output its consumer computes is settled when that consumer finishes
(:mod:`odibi_core.execution.deferred`); a raised cancellation flag
(:mod:`odibi_core.execution.cancellation`) starts no new node and records the rest as interrupted.
"""

from __future__ import annotations

import contextvars
import functools
import heapq
import logging
import os
import socket
import time
import uuid
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any

from odibi_core.config.loader import LoadedProject
from odibi_core.config.models import PipelineConfig, RetryConfig
from odibi_core.contracts.connection import Connection
from odibi_core.contracts.engine import Engine
from odibi_core.contracts.lifecycle import NodeResult, NodeRunContext, PipelineRunContext, RunResult
from odibi_core.contracts.requests import ReadRequest
from odibi_core.contracts.state import RunRecord, utc_now
from odibi_core.errors import NodeError, OdibiError, UsageError
from odibi_core.execution import debug_log
from odibi_core.execution.cancellation import Interruptible, RunCancellation
from odibi_core.execution.deferred import DeferredOutputs
from odibi_core.execution.failure import NodeLocations, format_failure
from odibi_core.execution.formats import FormatDispatch
from odibi_core.execution.node import NodeInputs, NodeOutput, execute_node, keeps_high_water_mark
from odibi_core.execution.resume import can_read_back
from odibi_core.execution.resume_plan import plan_resume
from odibi_core.execution.retry import backoff_delay, is_transient
from odibi_core.execution.sources import target_of
from odibi_core.execution.transformer_steps import transformers_for
from odibi_core.identity import current_user
from odibi_core.logs import bind_log_context
from odibi_core.planning.dag import Plan, build_plan
from odibi_core.plugins.manager import OdibiPluginManager
from odibi_core.plugins.types import BuildContext, TransformSpec
from odibi_core.reports.observe import observe_options
from odibi_core.state.session import (
    MarkUpdate,
    RunRecorder,
    effective_lock_timeout,
    open_state_backend,
)

logger = logging.getLogger("odibi.run")


def new_run_id() -> str:
    """A sortable, unique run id: UTC timestamp plus random suffix."""
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()) + "-" + uuid.uuid4().hex[:8]


@dataclass
class RunOptions:
    """What ``odibi run`` asked for.

    Attributes:
        pipelines: Pipeline names to run (empty: all, in file order).
        nodes: ``--select`` selectors (``--node`` is the same option).
        exclude: ``--exclude`` selectors.
        workers: Parallel nodes (``None``: the project's ``workers``).
        resume: Reuse the nodes a fresh run would rebuild identically
            (see :mod:`odibi_core.execution.resume`); run the rest.
        lock_timeout: ``--lock-timeout`` (``None``: env var, YAML, 60 s).
        wait_for_lock: ``False`` with ``--no-wait``.
        environment: ``--env`` applied (state keeps marks and node records per environment).
        full_refresh: ``--full-refresh``: ignore high-water marks, rebuild append/upsert targets.
        cancellation: Raised to stop the run cleanly (Ctrl-C); ``None``: the run cannot be stopped.
        on_work_start: Called once, when the first pipeline's work begins: after its state was
            read and its run recorded as started, and after every plugin's pipeline wrapper set
            itself up, before any node runs (``odibi run`` resumes the garbage collector there,
            see :mod:`odibi_core.cli.collector`).
    """

    pipelines: list[str] = field(default_factory=list)
    nodes: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    workers: int | None = None
    resume: bool = False
    lock_timeout: float | None = None
    wait_for_lock: bool = True
    environment: str | None = None
    full_refresh: bool = False
    cancellation: RunCancellation | None = None
    on_work_start: Callable[[], None] | None = None


def select_pipelines(project: LoadedProject, names: list[str]) -> list[PipelineConfig]:
    """The pipelines ``names`` asks for (all if empty); unknown names are a usage error."""
    from odibi_core.config.suggestions import did_you_mean

    if not names:
        return list(project.config.pipelines)
    known = {p.pipeline: p for p in project.config.pipelines}
    chosen = []
    for name in names:
        if name not in known:
            raise UsageError(
                f"no pipeline {name!r}{did_you_mean(name, known)}; defined: {', '.join(known)}"
            )
        chosen.append(known[name])
    return chosen


class ProjectRunner:
    """Runs the pipelines of one loaded project."""

    def __init__(self, project: LoadedProject, pm: OdibiPluginManager, options: RunOptions) -> None:
        self.project = project
        self.pm = pm
        self.options = options
        self.lock_timeout = effective_lock_timeout(project, options.lock_timeout)
        self.cancellation = options.cancellation or RunCancellation(announce=False)
        self.state_location: str | None = None
        """``"<backend> state at <location>"`` once a run opened state (``None``: no state)."""
        self.interrupted = False
        """Whether the cancellation stopped work: a pipeline interrupted or never started (a signal
        that comes once every node is done changes nothing)."""
        self._on_work_start = options.on_work_start

    def plans(self) -> list[Plan]:
        """Plan every selected pipeline (what ``--dry-run`` and ``validate`` show).

        With ``--select``/``--exclude``, a pipeline none of whose nodes is selected is left out;
        a selector that names nothing in any pipeline, or a selection that leaves nothing to
        run, is a usage error.
        """
        from odibi_core.planning.selection import check_selectors, parse_selectors

        select, exclude = self.options.nodes, self.options.exclude
        plans = [
            build_plan(p, select=select, exclude=exclude, strict=False)
            for p in select_pipelines(self.project, self.options.pipelines)
        ]
        if not (select or exclude):
            return plans
        check_selectors(plans, parse_selectors([*select, *exclude]))
        chosen = [plan for plan in plans if plan.selected]
        if not chosen:
            raise UsageError(
                "the selection leaves no node to run",
                hint="--exclude also leaves out every node downstream of what it names.",
            )
        return chosen

    def run(self) -> list[RunResult]:
        """Run the selected pipelines one after another; return their results."""
        plans, transforms = self.plans_to_run()
        results: list[RunResult] = []
        for plan in plans:
            if self.cancellation.cancelled:
                self.interrupted = True  # the next pipelines never start
                break
            results.append(self._run_pipeline(plan, transforms))
        self.interrupted = self.interrupted or any(r.interrupted for r in results)
        return results

    def plans_to_run(self) -> tuple[list[Plan], dict[str, TransformSpec]]:
        """The plans with the code of Python steps in their fingerprints, and those steps."""
        from odibi_core.execution.code_fingerprint import with_code_fingerprints

        transforms = self._transforms()
        return [with_code_fingerprints(plan, transforms) for plan in self.plans()], transforms

    def _transforms(self) -> dict[str, TransformSpec]:
        from odibi_core.transforms import load_project_transforms

        specs = {name: reg.spec for name, reg in self.pm.transforms().items()}
        specs.update(load_project_transforms(self.project.project_dir))
        return specs

    def _run_pipeline(self, plan: Plan, transforms: dict[str, TransformSpec]) -> RunResult:
        run_id = new_run_id()
        name = plan.pipeline.pipeline
        backend = open_state_backend(
            self.project, self.pm, run_id=run_id, lock_timeout=self.lock_timeout
        )
        recorder = RunRecorder(
            backend, name, lock_timeout=self.lock_timeout, environment=self.options.environment
        )
        if backend is not None:
            self.state_location = backend.describe()
        try:
            with (
                bind_log_context(run_id=run_id, pipeline=name),
                recorder.run_lock(run_id, wait=self.options.wait_for_lock),
            ):
                return self._run_locked(plan, transforms, run_id, recorder)
        finally:
            if backend is not None:
                backend.close()

    def _run_locked(
        self, plan: Plan, transforms: dict[str, TransformSpec], run_id: str, recorder: RunRecorder
    ) -> RunResult:
        from odibi_core import __version__

        engine = self.build_engine(run_id)
        connections = self.build_connections(plan, run_id)
        context = PipelineRunContext(
            project=self.project.config,
            pipeline=plan.pipeline,
            run_id=run_id,
            engine_name=self.project.config.engine,
            environment=self.options.environment,
            nodes=plan.order,
        )
        started = utc_now()
        targets: list[Interruptible] = [engine, *connections.values()]
        for target in targets:
            self.cancellation.register(target)
        self.cancellation.armed = True  # from here a signal stops the run cleanly
        recorder.record_start(
            RunRecord(
                run_id=run_id,
                status="running",
                started_at=started,
                user=current_user(),
                host=socket.gethostname(),
                pid=os.getpid(),
                environment=self.options.environment,
                odibi_version=__version__,
            )
        )
        execution = _PipelineExecution(
            self, plan, engine, connections, transforms, recorder, context
        )
        context.work = self._starting(execution.run)
        marks: dict[str, MarkUpdate] = {}
        try:
            result: RunResult = self.pm.run_pipeline(context)
            marks = execution.marks
        finally:
            for target in targets:
                self.cancellation.unregister(target)
            engine.close()
            for connection in connections.values():
                connection.close()
        try:
            recorder.record_finish(result, marks)
        finally:
            try:
                self._report(plan, result, context)
            finally:
                self.cancellation.armed = False
        return result

    def _starting(self, work: Callable[[], RunResult]) -> Callable[[], RunResult]:
        """``work``, calling :attr:`RunOptions.on_work_start` first if no pipeline's work has
        begun yet."""

        def run() -> RunResult:
            started, self._on_work_start = self._on_work_start, None
            if started is not None:
                started()
            return work()

        return run

    def _report(self, plan: Plan, result: RunResult, context: PipelineRunContext) -> None:
        """Hand the finished run to the reporters (``odibi_run_finished``; never raises)."""
        from odibi_core.contracts.lifecycle import FinishedRun

        finished = FinishedRun(
            context,
            result,
            plan,
            self.project.project_dir,
            self.project.state_backend,
            self.pm.plugins,
        )
        result.report = self.pm.run_finished(finished)

    def build_engine(self, run_id: str) -> Engine:
        """The project's engine, built for run ``run_id``."""
        spec = self.pm.engine(self.project.config.engine)
        ctx = BuildContext(
            name=spec.name,
            project_dir=self.project.project_dir,
            project_name=self.project.config.project,
            run_id=run_id,
        )
        try:
            return spec.factory(self.project.engine_options, ctx)
        except OdibiError:
            raise
        except Exception as exc:  # options its model let through, refused by the engine itself
            from odibi_core.errors import ConfigError

            where = self.project.location(("engine_options",)) or self.project.location(("engine",))
            detail = (str(exc).strip().splitlines() or [""])[0]
            raise ConfigError(
                f"{where}: engine {spec.name!r} could not start with these engine_options: "
                f"{type(exc).__name__}: {detail}",
                hint="Fix engine_options (see the configuration reference for the engine's keys).",
            ) from exc

    def build_connections(self, plan: Plan, run_id: str) -> dict[str, Connection]:
        """The connections ``plan`` reads from or writes to, built for run ``run_id``."""
        needed = {
            part.connection
            for n in plan.order
            for part in (plan.nodes[n].read, plan.nodes[n].write)
            if part
        }
        connections: dict[str, Connection] = {}
        for name in sorted(needed):
            config = self.project.config.connections[name]
            spec = self.pm.connection(config.type)
            ctx = BuildContext(
                name=name,
                project_dir=self.project.project_dir,
                project_name=self.project.config.project,
                run_id=run_id,
            )
            connection = spec.factory(self.project.connection_options[name], ctx)
            connection.name, connection.type = name, config.type
            connections[name] = connection
        return connections


class _PipelineExecution:
    """The state of one pipeline run while its nodes execute."""

    def __init__(
        self,
        runner: ProjectRunner,
        plan: Plan,
        engine: Engine,
        connections: dict[str, Connection],
        transforms: dict[str, TransformSpec],
        recorder: RunRecorder,
        context: PipelineRunContext,
    ) -> None:
        self.runner = runner
        self.plan = plan
        self.engine = engine
        self.connections = connections
        self.transforms = transforms
        self.recorder = recorder
        self.context = context
        self.formats = FormatDispatch(
            lambda: {n: reg.spec for n, reg in runner.pm.formats().items()}
        )
        self.frames: dict[str, Any] = {}
        self.results: dict[str, NodeResult] = {}
        self.marks: dict[str, MarkUpdate] = {}
        self.cancellation = runner.cancellation
        self.errors: dict[str, BaseException] = {}
        self._locations = NodeLocations(runner.project, plan.pipeline.pipeline)
        self.deferred = DeferredOutputs(plan, self._locations)
        selected = set(plan.order)
        self.pending_consumers = {
            n: len([d for d in plan.downstream[n] if d in selected]) for n in plan.order
        }

    def run(self) -> RunResult:
        start = time.perf_counter()
        started = utc_now()
        order = self.plan.order
        unchanged = self._resume_decisions()
        workers = self.runner.options.workers or self.runner.project.config.workers
        debug_log.log_plan(self.plan, engine=self.runner.project.config.engine, workers=workers)
        fail_fast = self.plan.pipeline.on_error == "fail_fast"
        done: set[str] = set()
        running: dict[Future[Any], str] = {}
        self.stopped_by: str | None = None
        selected = set(self.plan.selected)
        deps_of = {n: [d for d in self.plan.upstream[n] if d in selected] for n in order}
        missing = {n: len(deps) for n, deps in deps_of.items()}  # dependencies not done yet
        position = {n: i for i, n in enumerate(order)}
        # nodes whose dependencies are all done and that have not started, by position in the
        # order: each node is looked at once when it becomes ready, so a run of thousands of
        # nodes stays linear however many wait
        ready = [position[n] for n in order if not missing[n]]
        heapq.heapify(ready)

        def finish(name: str) -> None:
            done.add(name)
            for dependent in self.plan.downstream[name]:
                if dependent in missing:
                    missing[dependent] -= 1
                    if not missing[dependent]:
                        heapq.heappush(ready, position[dependent])

        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="odibi-node") as pool:
            while len(done) < len(order):
                if self.cancellation.cancelled:
                    in_flight = set(running.values())
                    for name in order:
                        if name not in done and name not in in_flight:
                            self._interrupt_unstarted(name)
                            finish(name)
                    ready.clear()
                while ready and len(running) < workers:
                    name = order[heapq.heappop(ready)]
                    if name in done:  # interrupted before it became ready
                        continue
                    deps = deps_of[name]
                    failed_dep = next(
                        (
                            d
                            for d in deps
                            if self.results[d].status in ("failed", "skipped", "interrupted")
                        ),
                        None,
                    )
                    if failed_dep is not None or self.stopped_by is not None:
                        reason = (
                            f"upstream node {failed_dep} did not succeed"
                            if failed_dep
                            else f"run stopped after node {self.stopped_by} failed"
                        )
                        self._skip(name, reason)
                        finish(name)
                        self._settle(name, fail_fast)
                        self._consumed(name)
                        continue
                    if name in unchanged:
                        self.results[name] = unchanged[name]
                        logger.info(
                            "node %s unchanged, skipped: %s", name, unchanged[name].skipped_reason
                        )
                        finish(name)
                        self._consumed(name)
                        continue
                    ctx = contextvars.copy_context()
                    running[pool.submit(ctx.run, self._run_node, name)] = name
                if not running:
                    continue
                finished, _ = wait(list(running), return_when=FIRST_COMPLETED)
                for future in finished:
                    name = running.pop(future)
                    future.result()  # _run_node never raises; surfaces kernel bugs
                    finish(name)
                    if (
                        self.results[name].status == "failed"
                        and fail_fast
                        and self.stopped_by is None
                    ):
                        self.stopped_by = name
                    self._settle(name, fail_fast)
                    self._consumed(name)
        failed = any(r.status in ("failed",) for r in self.results.values())
        status = "interrupted" if self.cancellation.cancelled else "failed" if failed else "success"
        return RunResult(
            pipeline=self.plan.pipeline.pipeline,
            run_id=self.context.run_id,
            status=status,
            started_at=started,
            finished_at=utc_now(),
            duration_s=round(time.perf_counter() - start, 6),
            nodes={n: self.results[n] for n in order},
            order=order,
        )

    def _skip(self, name: str, reason: str, status: str = "skipped") -> None:
        self.results[name] = NodeResult(
            name=name,
            status=status,
            skipped_reason=reason,
            fingerprint=self.plan.fingerprints[name],
        )
        logger.warning("node %s %s: %s", name, status, reason)

    def _interrupt_unstarted(self, name: str) -> None:
        """A node the interrupted run never started (or was not asked to finish)."""
        self._skip(
            name, f"{self.cancellation.error().message} before the node started", "interrupted"
        )
        self._settle(name, True)
        self._consumed(name)

    def _settle(self, name: str, fail_fast: bool) -> None:
        """Settle the lazy nodes ``name`` was to compute (see
        :mod:`odibi_core.execution.deferred`)."""
        stop = (
            f"the run stopped after node {self.stopped_by} failed"
            if fail_fast and self.stopped_by
            else None
        )
        interrupted = self.cancellation.error().message if self.cancellation.cancelled else None
        failed = self.deferred.settle(
            name,
            self.results,
            self.engine,
            error=self.errors.get(name),
            stop_reason=stop,
            interrupted_reason=interrupted,
        )
        if failed and fail_fast and self.stopped_by is None:
            self.stopped_by = failed[0]

    def _consumed(self, name: str) -> None:
        """Release upstream frames no pending dependent needs any more."""
        for dep in self.plan.upstream[name]:
            if dep in self.pending_consumers:
                self.pending_consumers[dep] -= 1
                if self.pending_consumers[dep] <= 0 and dep in self.frames:
                    self._release(self.frames.pop(dep))
        if self.pending_consumers.get(name, 0) <= 0 and name in self.frames:
            self._release(self.frames.pop(name))

    def _release(self, frame: Any) -> None:
        """Release ``frame`` unless another node's entry still holds it: a node without a read
        or transform passes its upstream's frame on, so one frame can be held under two names."""
        if not any(held is frame for held in list(self.frames.values())):
            self.engine.release(frame)

    def _run_node(self, name: str) -> None:
        node = self.plan.nodes[name]
        policy: RetryConfig = node.retry or self.runner.project.config.retry
        with bind_log_context(node=name):
            attempt = 1
            while True:
                ctx = NodeRunContext(
                    run=self.context,
                    node=node,
                    engine=self.engine,
                    fingerprint=self.plan.fingerprints[name],
                    attempt=attempt,
                )
                ctx.work = functools.partial(self._work, name, ctx)
                try:
                    result: NodeResult = self.runner.pm.run_node(ctx)
                    self.results[name] = result
                    rows = "" if result.rows_out is None else f", {result.rows_out} rows out"
                    if name in self.deferred:
                        logger.info(
                            "node %s ready in %.3fs; its rows are computed by the node that "
                            "reads it",
                            name,
                            result.duration_s,
                        )
                    else:
                        logger.info("node %s succeeded in %.3fs%s", name, result.duration_s, rows)
                    return
                except Exception as exc:
                    if (
                        attempt < policy.max_attempts
                        and is_transient(exc)
                        and not self.cancellation.cancelled
                    ):
                        delay = backoff_delay(policy, attempt)
                        logger.warning(
                            "node %s: transient error (attempt %d of %d), retrying in %.1fs: %s",
                            name,
                            attempt,
                            policy.max_attempts,
                            delay,
                            exc,
                        )
                        self.cancellation.wait(delay)
                        attempt += 1
                        continue
                    result = getattr(exc, "result", None) or NodeResult(
                        name=name,
                        status="failed",
                        error=f"{type(exc).__name__}: {exc}",
                        error_type=type(exc).__name__,
                        fingerprint=self.plan.fingerprints[name],
                    )
                    self.results[name] = result
                    self.errors[name] = exc
                    if result.status == "failed":
                        logger.error(
                            "%s",
                            "\n".join(format_failure(result)),
                            exc_info=logger.isEnabledFor(logging.DEBUG),
                        )
                    else:
                        logger.warning("node %s %s: %s", name, result.status, result.skipped_reason)
                    return

    def _work(self, name: str, ctx: NodeRunContext) -> NodeResult:
        node = self.plan.nodes[name]
        upstream = {d: self._frame_of(d) for d in self.plan.upstream[name]}
        dependents = self.pending_consumers.get(name, 0)
        consumers = dependents + (1 if node.write else 0) + (1 if node.validation else 0)
        target = target_of(node, self.connections)
        full_refresh = self.runner.options.full_refresh
        keeps_mark = keeps_high_water_mark(node)  # a rolling window keeps none
        mark = (
            self.recorder.high_water_mark(name, target) if keeps_mark and not full_refresh else None
        )
        inputs = NodeInputs(
            node=node,
            engine=self.engine,
            connections=self.connections,
            upstream=upstream,
            transforms=self.transforms,
            consumers=consumers,
            fingerprint=self.plan.fingerprints[name],
            high_water_mark=mark,
            observe=observe_options(self.runner.project.config.reports, node),
            full_refresh=full_refresh,
            formats=self.formats,
            transformers=transformers_for(node, self.runner.pm),
            dependents=dependents,
            lazy_upstream=self.deferred.chain(name),
            locations=self._locations(name),
            cancellation=self.cancellation,
        )
        output: NodeOutput = execute_node(inputs)
        if not output.computed:
            self.deferred.add(name, output)
        if self.pending_consumers.get(name, 0) > 0:
            self.frames[name] = output.frame
        else:
            self._release(output.frame)
        if output.new_high_water_mark is not None:
            # the write succeeded: advance the mark now, so a crash later in the run cannot
            # make the next run read these rows again (the end of the run records it too)
            self.marks[name] = MarkUpdate(target, output.new_high_water_mark)
            try:
                self.recorder.record_mark(name, self.marks[name], self.context.run_id)
            except OdibiError as exc:
                logger.warning(
                    "node %s: high-water mark not saved yet (%s); retried at the end of the run",
                    name,
                    exc.message,
                )
        return output.result

    def _frame_of(self, name: str) -> Any:
        """An upstream frame; for a node skipped by ``--resume``, read back from its output."""
        if name not in self.frames:
            node = self.plan.nodes[name]
            write = node.write
            assert write is not None, f"node {name}: no frame and no output to read back"
            assert can_read_back(node), f"node {name}: its output cannot stand in for its frame"
            request = ReadRequest(format=write.format, path=write.path)
            self.frames[name] = self.formats.read(
                self.engine, self.connections[write.connection], request
            )
        return self.frames[name]

    def _resume_decisions(self) -> dict[str, NodeResult]:
        """Nodes ``--resume`` reuses (see :mod:`odibi_core.execution.resume`); logs why others
        run."""
        if not self.runner.options.resume:
            return {}
        if not self.recorder.enabled:
            from odibi_core.state.session import STATE_PACKAGE_HINT

            raise UsageError(f"--resume needs run state; {STATE_PACKAGE_HINT}")
        decision = plan_resume(
            self.plan, self.recorder, self.connections, self.engine, self.formats
        )
        for name, reason in decision.reasons.items():
            logger.info("resume: node %s runs: %s", name, reason)
        return decision.unchanged


def run_project(
    project: LoadedProject, pm: OdibiPluginManager, options: RunOptions | None = None
) -> list[RunResult]:
    """Run a loaded project (the programmatic equivalent of ``odibi run``)."""
    return ProjectRunner(project, pm, options or RunOptions()).run()


__all__ = [
    "NodeError",
    "ProjectRunner",
    "RunOptions",
    "new_run_id",
    "run_project",
    "select_pipelines",
]
