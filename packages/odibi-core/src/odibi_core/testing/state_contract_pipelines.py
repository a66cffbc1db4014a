"""Contract tests: per-pipeline documents and the automatic move of history into them.

Part of :class:`~odibi_core.testing.state_contract.StateBackendContract`. A backend without
:meth:`~odibi_core.contracts.state.StateBackend.pipeline_backend` passes them by keeping
everything in one document; one with it must move a shared document's history out losing
nothing, and keep each run's writes inside its own pipeline's document.
"""

from __future__ import annotations

from typing import Any

from odibi_core.contracts.state import (
    HighWaterMark,
    NodeRecord,
    PipelineState,
    RunRecord,
    StateBackend,
    StateDocument,
)
from odibi_core.state.pipeline_documents import prepare_pipeline_store, read_all
from odibi_core.testing.state_contract_hooks import MakeBackend, StateContractHooks

PIPELINES = ("alpha", "beta", "gamma.v2")


def _history(name: str, runs: int, *, first: int = 0) -> PipelineState:
    state = PipelineState()
    for i in range(first, first + runs):
        started = f"2026-01-01T00:{i:02d}:00.000+00:00"
        record = NodeRecord(
            status="success",
            fingerprint="ab" * 8,
            rows_out=i,
            run_id=f"{name}-{i}",
            started_at=started,
            finished_at=started,
            output=f"lake:{name}/{i}",
        )
        state.runs.append(
            RunRecord(
                run_id=f"{name}-{i}",
                status="success",
                started_at=started,
                finished_at=started,
                nodes={"load": record},
            )
        )
        state.nodes["load"] = record
        state.high_water_marks.setdefault("(default)", {})["load"] = HighWaterMark(
            target=f"lake:{name}", type="int", value=i, run_id=f"{name}-{i}", updated_at=started
        )
    return state


def _plant_shared(backend: StateBackend, states: dict[str, PipelineState]) -> None:
    """Write every pipeline into the main document, as state written before per-pipeline
    documents existed."""

    def fill(doc: StateDocument) -> None:
        for name, state in states.items():
            doc.pipelines[name] = state.model_copy(deep=True)

    backend.update(fill)


def _dump(state: PipelineState | None) -> Any:
    return None if state is None else state.model_dump(mode="json")


class PipelineDocumentTests(StateContractHooks):
    """Per-pipeline documents (see :mod:`odibi_core.state.pipeline_documents`)."""

    def test_shared_history_moves_to_pipeline_documents_losing_nothing(
        self, make_backend: MakeBackend
    ) -> None:
        main = make_backend()
        before = {name: _history(name, 3 + i) for i, name in enumerate(PIPELINES)}
        _plant_shared(main, before)
        store = prepare_pipeline_store(main, "alpha", timeout=10)
        try:
            store.update(
                lambda doc: doc.pipeline("alpha").runs.append(
                    RunRecord(
                        run_id="alpha-new", status="running", started_at="2026-02-01T00:00:00+00:00"
                    )
                )
            )
        finally:
            if store is not main:
                store.close()
        seen = read_all(make_backend())
        assert seen is not None
        expected = {name: _dump(state) for name, state in before.items()}
        expected["alpha"]["runs"].append(
            RunRecord(
                run_id="alpha-new", status="running", started_at="2026-02-01T00:00:00+00:00"
            ).model_dump(mode="json")
        )
        assert {name: _dump(state) for name, state in seen.pipelines.items()} == expected
        if main.pipeline_backend("alpha") is not None:
            shared = main.read()
            assert shared is not None
            assert sorted(shared.pipelines) == sorted(PIPELINES)
            assert all(_dump(s) == _dump(PipelineState()) for s in shared.pipelines.values())

    def test_a_run_writes_only_its_own_pipeline_document(self, make_backend: MakeBackend) -> None:
        main = make_backend()
        _plant_shared(main, {name: _history(name, 2) for name in PIPELINES})
        first = prepare_pipeline_store(main, "alpha", timeout=10)
        if first is main:
            return  # one document: nothing more to check
        first.close()
        shared_serial = main.read().serial  # type: ignore[union-attr]
        other = main.pipeline_backend("beta")
        assert other is not None
        beta_serial = other.read().serial  # type: ignore[union-attr]
        store = prepare_pipeline_store(main, "alpha", timeout=10)
        try:
            for i in range(3):

                def add_node(doc: StateDocument, i: int = i) -> None:
                    doc.pipeline("alpha").nodes[f"n{i}"] = NodeRecord(status="success")

                store.update(add_node)
        finally:
            store.close()
        assert main.read().serial == shared_serial  # type: ignore[union-attr]
        assert other.read().serial == beta_serial  # type: ignore[union-attr]
        other.close()

    def test_a_move_stopped_half_way_is_finished_by_the_next_run_without_duplicates(
        self, make_backend: MakeBackend
    ) -> None:
        main = make_backend()
        child = main.pipeline_backend("alpha")
        if child is None:
            return
        whole = _history("alpha", 5)
        # the pipeline's own document got the first 3 runs, the shared one still has all 5
        child.update(lambda doc: doc.pipelines.__setitem__("alpha", _history("alpha", 3)))
        child.close()
        _plant_shared(main, {"alpha": whole, "beta": _history("beta", 1)})
        for _ in range(2):  # merging twice changes nothing
            prepare_pipeline_store(main, "beta", timeout=10).close()
            seen = read_all(make_backend())
            assert seen is not None
            assert _dump(seen.pipelines["alpha"]) == _dump(whole)
            assert [r.run_id for r in seen.pipelines["beta"].runs] == ["beta-0"]
