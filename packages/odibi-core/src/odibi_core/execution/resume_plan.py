"""Asking the outside world what ``--resume`` needs to know, for a run and for ``--dry-run``.

:func:`plan_resume` feeds :func:`odibi_core.execution.resume.decide_resume` with the last records
in state, whether outputs exist and the current fingerprints of sources, through the run's
connections. :func:`preview_resume` does the same without a run: it reads state without taking
any lock, builds connections but no engine, and reads no data.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from odibi_core.contracts.connection import Connection, FileConnection, TableConnection
from odibi_core.execution.resume import ResumeDecision, decide_resume
from odibi_core.execution.sources import read_request, source_fingerprint, write_request

if TYPE_CHECKING:
    from odibi_core.execution.runner import ProjectRunner
    from odibi_core.planning.dag import Plan
    from odibi_core.state.session import RunRecorder


def plan_resume(plan: Plan, recorder: RunRecorder, connections: dict[str, Connection]) -> ResumeDecision:
    """Which nodes of ``plan`` a resumed run reuses, from ``recorder``'s previous state."""

    def output_exists(name: str) -> bool:
        node = plan.nodes[name]
        request = write_request(node)
        assert node.write is not None and request is not None
        connection = connections[node.write.connection]
        if isinstance(connection, FileConnection):
            return connection.exists(request.path or "")
        if isinstance(connection, TableConnection):
            return connection.exists(request)
        return False

    def current_fingerprint(name: str) -> str | None:
        node = plan.nodes[name]
        request = read_request(node)
        assert node.read is not None and request is not None
        return source_fingerprint(connections[node.read.connection], request)

    return decide_resume(plan, recorder.last_record, output_exists,
                         source_fingerprint=current_fingerprint, environment=recorder.environment)


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
    for plan in runner.plans():
        backend = open_state_backend(runner.project, runner.pm, run_id=None, lock_timeout=runner.lock_timeout)
        if backend is None:
            raise UsageError(f"--resume needs run state; {STATE_PACKAGE_HINT}")
        connections = runner.build_connections(plan, run_id="dry-run")
        try:
            recorder = RunRecorder(backend, plan.pipeline.pipeline, lock_timeout=runner.lock_timeout,
                                   environment=runner.options.environment)
            recorder.load_previous()
            previews.append(ResumePreview(plan, plan_resume(plan, recorder, connections)))
        finally:
            backend.close()
            for connection in connections.values():
                connection.close()
    return previews
