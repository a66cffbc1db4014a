"""How a run uses state: open the backend, take the pipeline lock, resume, record.

With no state backend installed the run still works: :class:`RunRecorder` then keeps nothing and
the CLI prints one line saying run history is off and which package turns it on.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import decimal
import logging
import os
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from odibi_core.contracts.state import (
    HolderInfo,
    NodeRecord,
    PipelineState,
    RunRecord,
    StateBackend,
    StateDocument,
    pipeline_lock_name,
)
from odibi_core.errors import ConfigError
from odibi_core.plugins.types import BuildContext

if TYPE_CHECKING:
    from odibi_core.config.loader import LoadedProject
    from odibi_core.contracts.lifecycle import RunResult
    from odibi_core.plugins.manager import OdibiPluginManager

logger = logging.getLogger("odibi.state")

ENV_LOCK_TIMEOUT = "ODIBI_LOCK_TIMEOUT"
DEFAULT_LOCK_TIMEOUT = 60.0
STATE_PACKAGE_HINT = "install odibi-state-local to keep run history, --resume and incremental marks"


def effective_lock_timeout(project: LoadedProject | None, flag: float | None) -> float:
    """``--lock-timeout`` > ``ODIBI_LOCK_TIMEOUT`` > YAML ``state.lock_timeout`` > 60 s."""
    if flag is not None:
        return flag
    env = os.environ.get(ENV_LOCK_TIMEOUT)
    if env:
        try:
            return float(env)
        except ValueError:
            raise ConfigError(f"{ENV_LOCK_TIMEOUT}={env!r} is not a number of seconds") from None
    if project is not None and project.config.state is not None:
        return project.config.state.lock_timeout
    return DEFAULT_LOCK_TIMEOUT


def open_state_backend(project: LoadedProject, pm: OdibiPluginManager, *, run_id: str | None,
                       lock_timeout: float) -> StateBackend | None:
    """Build the project's state backend, or ``None`` if no backend is configured or installed."""
    if project.state_backend is None:
        return None
    spec = pm.state_backend(project.state_backend)
    ctx = BuildContext(name="state", project_dir=project.project_dir, project_name=project.config.project,
                       run_id=run_id)
    backend = spec.factory(project.state_options, ctx)
    backend.lock_timeout = lock_timeout  # type: ignore[attr-defined]
    if project.config.state is not None and hasattr(backend, "history_limit"):
        backend.history_limit = project.config.state.history
    return backend


def encode_mark(value: Any) -> dict[str, Any] | None:
    """A high-water mark as JSON with its type, so it round-trips exactly."""
    if value is None:
        return None
    if isinstance(value, bool):
        return {"type": "bool", "value": value}
    if isinstance(value, int):
        return {"type": "int", "value": value}
    if isinstance(value, float):
        return {"type": "float", "value": value}
    if isinstance(value, decimal.Decimal):
        return {"type": "decimal", "value": str(value)}
    if isinstance(value, dt.datetime):
        return {"type": "datetime", "value": value.isoformat()}
    if isinstance(value, dt.date):
        return {"type": "date", "value": value.isoformat()}
    return {"type": "str", "value": str(value)}


def decode_mark(stored: Any) -> Any:
    """Inverse of :func:`encode_mark`."""
    if not isinstance(stored, dict) or "type" not in stored:
        return stored
    kind, value = stored["type"], stored["value"]
    if kind == "decimal":
        return decimal.Decimal(value)
    if kind == "datetime":
        return dt.datetime.fromisoformat(value)
    if kind == "date":
        return dt.date.fromisoformat(value)
    return value


class RunRecorder:
    """Reads what resume and incremental reads need, and records runs, for one pipeline run."""

    def __init__(self, backend: StateBackend | None, pipeline: str, *, lock_timeout: float) -> None:
        self.backend = backend
        self.pipeline = pipeline
        self.lock_timeout = lock_timeout
        self.previous: PipelineState = PipelineState()

    @property
    def enabled(self) -> bool:
        """Whether a state backend is in use."""
        return self.backend is not None

    @contextlib.contextmanager
    def run_lock(self, run_id: str, *, wait: bool) -> Iterator[HolderInfo | None]:
        """Hold the pipeline's run lock (``wait=False``: fail at once if held)."""
        if self.backend is None:
            yield None
            return
        timeout = self.lock_timeout if wait else 0.0
        with self.backend.lock(pipeline_lock_name(self.pipeline), timeout=timeout, run_id=run_id) as holder:
            doc = self.backend.read()
            if doc is not None and self.pipeline in doc.pipelines:
                self.previous = doc.pipelines[self.pipeline].model_copy(deep=True)
            yield holder

    def high_water_mark(self, node: str) -> Any:
        """The stored mark of ``node`` (decoded), or ``None``."""
        return decode_mark(self.previous.high_water_marks.get(node))

    def record_start(self, record: RunRecord) -> None:
        """Add the run, status ``running``, so a crashed run is visible in history."""
        if self.backend is None:
            return

        def add(doc: StateDocument) -> None:
            runs = doc.pipeline(self.pipeline).runs
            for earlier in runs:
                # we hold the pipeline's run lock, so a run still marked running has died
                if earlier.status == "running":
                    earlier.status = "interrupted"
            runs.append(record)

        self.backend.update(add, timeout=self.lock_timeout)

    def record_finish(self, result: RunResult, marks: dict[str, Any]) -> None:
        """Store node results, effective node records and advanced marks of a finished run."""
        if self.backend is None:
            return
        records = {
            name: NodeRecord(
                status=r.status, fingerprint=r.fingerprint, rows_in=r.rows_in, rows_out=r.rows_out,
                duration_s=r.duration_s, output=r.output, error=r.error,
                started_at=r.started_at, finished_at=r.finished_at, run_id=result.run_id,
            )
            for name, r in result.nodes.items()
        }

        def finish(doc: StateDocument) -> None:
            state = doc.pipeline(self.pipeline)
            for run in state.runs:
                if run.run_id == result.run_id:
                    run.status = result.status
                    run.finished_at = result.finished_at
                    run.nodes = records
            for name, record in records.items():
                if record.status in ("success", "failed"):
                    state.nodes[name] = record  # unchanged/skipped nodes keep their last record
            for name, mark in marks.items():
                encoded = encode_mark(mark)
                if encoded is not None:
                    state.high_water_marks[name] = encoded

        self.backend.update(finish, timeout=self.lock_timeout)

    def record_mark(self, node: str, mark: Any) -> None:
        """Store ``node``'s new high-water mark right after its write succeeded."""
        encoded = encode_mark(mark)
        if self.backend is None or encoded is None:
            return

        def advance(doc: StateDocument) -> None:
            doc.pipeline(self.pipeline).high_water_marks[node] = encoded

        self.backend.update(advance, timeout=self.lock_timeout)

    def last_record(self, node: str) -> NodeRecord | None:
        """The node's last effective record (success or failure) before this run."""
        return self.previous.nodes.get(node)
