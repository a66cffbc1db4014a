"""Asking the outside world what ``--resume`` needs to know, for a run and for ``--dry-run``.

:func:`plan_resume` feeds :func:`odibi_core.execution.resume.decide_resume` with the last records
in state, whether outputs exist and the current fingerprints of sources, through the run's
connections. :func:`preview_resume` does the same without a run: it reads state without taking
any lock, builds connections and an engine, and reads no data (only the metadata of outputs that
could stand in for a reused node's frame).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from odibi_core.contracts.connection import Connection
from odibi_core.contracts.engine import Engine
from odibi_core.contracts.requests import ReadRequest
from odibi_core.execution.formats import FormatDispatch
from odibi_core.execution.resume import ResumeDecision, decide_resume
from odibi_core.execution.sources import read_request, source_fingerprint
from odibi_core.execution.targets import write_target_exists

if TYPE_CHECKING:
    from odibi_core.execution.runner import ProjectRunner
    from odibi_core.planning.dag import Plan
    from odibi_core.state.session import RunRecorder


def plan_resume(
    plan: Plan,
    recorder: RunRecorder,
    connections: dict[str, Connection],
    engine: Engine,
    formats: FormatDispatch | None = None,
) -> ResumeDecision:
    """Which nodes of ``plan`` a resumed run reuses, from ``recorder``'s previous state.

    ``engine`` reads the schema of outputs that may stand in for a reused node's frame (a lazy
    read: file metadata only); ``formats`` answers for plugin formats (a Delta table)."""
    formats = formats or FormatDispatch()

    def output_exists(name: str) -> bool:
        return write_target_exists(plan.nodes[name], connections, formats)

    def current_fingerprint(name: str) -> str | None:
        node = plan.nodes[name]
        request = read_request(node)
        assert node.read is not None
        assert request is not None
        return source_fingerprint(connections[node.read.connection], request, formats)

    def read_back_columns(name: str) -> list[tuple[str, str]] | None:
        write = plan.nodes[name].write
        assert write is not None
        try:
            request = ReadRequest(format=write.format, path=write.path)
            frame = formats.read(engine, connections[write.connection], request)
        except Exception:  # unreadable: the node runs instead
            return None
        try:
            return [(c.name, c.type) for c in engine.schema(frame)]
        except Exception:
            return None
        finally:
            engine.release(frame)

    return decide_resume(
        plan,
        recorder.last_record,
        output_exists,
        source_fingerprint=current_fingerprint,
        read_back_columns=read_back_columns,
        environment=recorder.environment,
    )


@dataclass
class ResumePreview:
    """What ``odibi run --dry-run --resume`` shows for one pipeline."""

    plan: Plan
    decision: ResumeDecision


def preview_resume(runner: ProjectRunner) -> list[ResumePreview]:
    """The resume decision of every selected pipeline, touching no data and taking no lock."""
    from odibi_core.errors import UsageError
    from odibi_core.state.session import STATE_PACKAGE_HINT, RunRecorder, open_state_backend

    previews = []
    for plan in runner.plans_to_run()[0]:
        backend = open_state_backend(
            runner.project, runner.pm, run_id=None, lock_timeout=runner.lock_timeout
        )
        if backend is None:
            raise UsageError(f"--resume needs run state; {STATE_PACKAGE_HINT}")
        connections = runner.build_connections(plan, run_id="dry-run")
        engine = runner.build_engine("dry-run")
        try:
            recorder = RunRecorder(
                backend,
                plan.pipeline.pipeline,
                lock_timeout=runner.lock_timeout,
                environment=runner.options.environment,
            )
            recorder.load_previous()
            formats = FormatDispatch(lambda: {n: r.spec for n, r in runner.pm.formats().items()})
            decision = plan_resume(plan, recorder, connections, engine, formats)
            previews.append(ResumePreview(plan, decision))
        finally:
            engine.close()
            backend.close()
            for connection in connections.values():
                connection.close()
    return previews
