"""How a run uses state: open the backend, take the pipeline lock, resume, record.

With no state backend installed the run still works: :class:`RunRecorder` then keeps nothing and
the CLI prints one line saying run history is off and which package turns it on.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from odibi_core.contracts.state import (
    DEFAULT_HISTORY_LIMIT,
    DEFAULT_LOCK_TIMEOUT,
    HighWaterMark,
    HolderInfo,
    NodeRecord,
    PipelineState,
    RunRecord,
    StateBackend,
    StateDocument,
    pipeline_lock_name,
    utc_now,
)
from odibi_core.errors import ConfigError
from odibi_core.plugins.types import StateBuildContext
from odibi_core.state.marks import decode_mark, encode_mark, environment_key

if TYPE_CHECKING:
    from odibi_core.config.loader import LoadedProject
    from odibi_core.contracts.lifecycle import NodeResult, RunResult
    from odibi_core.plugins.manager import OdibiPluginManager

logger = logging.getLogger("odibi.state")

ENV_LOCK_TIMEOUT = "ODIBI_LOCK_TIMEOUT"
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


def open_state_backend(
    project: LoadedProject, pm: OdibiPluginManager, *, run_id: str | None, lock_timeout: float
) -> StateBackend | None:
    """Build the project's state backend, or ``None`` if no backend is configured or installed."""
    if project.state_backend is None:
        return None
    spec = pm.state_backend(project.state_backend)
    state = project.config.state
    ctx = StateBuildContext(
        name="state",
        project_dir=project.project_dir,
        project_name=project.config.project,
        run_id=run_id,
        lock_timeout=lock_timeout,
        history=state.history if state is not None else DEFAULT_HISTORY_LIMIT,
    )
    return spec.factory(project.state_options, ctx)


@dataclass(frozen=True)
class MarkUpdate:
    """A high-water mark to store: the node's target and the new value."""

    target: str
    value: Any


class RunRecorder:
    """Reads what resume and incremental reads need, and records runs, for one pipeline run.

    Args:
        backend: The state backend (``None``: run history is off and nothing is kept).
        pipeline: The pipeline being run.
        lock_timeout: Seconds to wait for the state lock.
        environment: The ``--env`` overlay of the run (marks and node records are kept per
            environment, see :mod:`odibi_core.state.marks`).
    """

    def __init__(
        self,
        backend: StateBackend | None,
        pipeline: str,
        *,
        lock_timeout: float,
        environment: str | None = None,
    ) -> None:
        self.backend = backend
        self.pipeline = pipeline
        self.lock_timeout = lock_timeout
        self.environment = environment_key(environment)
        self.previous: PipelineState = PipelineState()
        self._store: StateBackend | None = None  # where this pipeline's history lives

    @property
    def store(self) -> StateBackend | None:
        """The backend holding this pipeline's history (its own document where the backend
        keeps one per pipeline, see :mod:`odibi_core.state.pipeline_documents`)."""
        if self.backend is None:
            return None
        if self._store is None:
            from odibi_core.state.pipeline_documents import prepare_pipeline_store

            self._store = prepare_pipeline_store(
                self.backend, self.pipeline, timeout=self.lock_timeout
            )
        return self._store

    def close(self) -> None:
        """Close the pipeline's own document backend (the caller closes :attr:`backend`)."""
        if self._store is not None and self._store is not self.backend:
            self._store.close()
        self._store = None

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
        with self.backend.lock(
            pipeline_lock_name(self.pipeline), timeout=timeout, run_id=run_id
        ) as holder:
            try:
                _ = self.store  # under the run lock: move old history out, list this pipeline
                self.load_previous()
                yield holder
            finally:
                self.close()

    def load_previous(self) -> None:
        """Read the pipeline's state as it was before this run (no lock: a read sees a whole
        document). The run lock's holder calls it; ``--dry-run --resume`` calls it directly."""
        if self.backend is None:
            return
        from odibi_core.state.pipeline_documents import read_pipeline

        if self._store is not None and self._store is not self.backend:
            # copied below, never kept: the run's first write may start from this document
            doc = getattr(self._store, "read_to_hand_over", self._store.read)()
            state = doc.pipelines.get(self.pipeline) if doc is not None else None
        else:
            state = read_pipeline(self.backend, self.pipeline)
        if state is not None:
            # only the node records and marks are read back; copying the run history as well
            # cost more than the rest of a run's state work once it held 50 runs of 200 nodes
            self.previous = state.model_copy(update={"runs": []}).model_copy(deep=True)

    def high_water_mark(self, node: str, target: str) -> Any:
        """The stored mark of ``node`` writing to ``target`` in this run's environment (decoded),
        or ``None`` (no mark yet, or the node's target changed since the mark was set)."""
        mark = self.previous.high_water_marks.get(self.environment, {}).get(node)
        if mark is None:
            return None
        if mark.target != target:
            logger.info(
                "node %s: its high-water mark in environment %s belongs to target %s, "
                "not %s: reading everything",
                node,
                self.environment,
                mark.target or "-",
                target or "-",
            )
            return None
        return decode_mark(mark.type, mark.value)

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

        self._update(add)

    def _update(self, fn: Callable[[StateDocument], None]) -> None:
        store = self.store
        assert store is not None
        store.update(fn, timeout=self.lock_timeout)

    def record_finish(self, result: RunResult, marks: dict[str, MarkUpdate]) -> None:
        """Store node results, effective node records and advanced marks of a finished run."""
        if self.backend is None:
            return
        records = {name: self.node_record(r, result.run_id) for name, r in result.nodes.items()}

        def finish(doc: StateDocument) -> None:
            state = doc.pipeline(self.pipeline)
            for run in state.runs:
                if run.run_id == result.run_id:
                    run.status = result.status
                    run.finished_at = result.finished_at
                    # column lists stay in the effective records only: history need not repeat them
                    run.nodes = {
                        n: r.model_copy(update={"columns": None}) for n, r in records.items()
                    }
            for name, record in records.items():
                if record.status in ("success", "failed"):
                    state.nodes[name] = record  # unchanged/skipped nodes keep their last record
            for name, update in marks.items():
                self._set_mark(state, name, update, result.run_id)

        self._update(finish)

    def node_record(self, result: NodeResult, run_id: str) -> NodeRecord:
        """The state record of a node result of this run."""
        return NodeRecord(
            status=result.status,
            fingerprint=result.fingerprint,
            rows_in=result.rows_in,
            rows_out=result.rows_out,
            rows_written=result.rows_written,
            rows_total=result.rows_total,
            duration_s=result.duration_s,
            output=result.output,
            error=result.error,
            started_at=result.started_at,
            finished_at=result.finished_at,
            run_id=run_id,
            environment=self.environment,
            source_fingerprint=result.source_fingerprint,
            columns=(
                [(c.name, c.type) for c in result.schema_out]
                if result.status == "success"
                else None
            ),
        )

    def record_mark(self, node: str, update: MarkUpdate, run_id: str | None = None) -> None:
        """Store ``node``'s new high-water mark right after its write succeeded."""
        if self.backend is None or encode_mark(update.value) is None:
            return
        self._update(lambda doc: self._set_mark(doc.pipeline(self.pipeline), node, update, run_id))

    def _set_mark(
        self, state: PipelineState, node: str, update: MarkUpdate, run_id: str | None
    ) -> None:
        encoded = encode_mark(update.value)
        if encoded is None:
            return
        state.high_water_marks.setdefault(self.environment, {})[node] = HighWaterMark(
            target=update.target, run_id=run_id, updated_at=utc_now(), **encoded
        )

    def last_record(self, node: str) -> NodeRecord | None:
        """The node's last effective record (success or failure) before this run."""
        return self.previous.nodes.get(node)


__all__ = [
    "DEFAULT_LOCK_TIMEOUT",
    "ENV_LOCK_TIMEOUT",
    "STATE_PACKAGE_HINT",
    "MarkUpdate",
    "RunRecorder",
    "decode_mark",
    "effective_lock_timeout",
    "encode_mark",
    "open_state_backend",
]
