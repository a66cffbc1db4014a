"""One state document per pipeline, so a run's state work does not grow with other pipelines.

A backend that offers :meth:`~odibi_core.contracts.state.StateBackend.pipeline_backend` keeps each
pipeline's history, node records and marks in a document of its own (the same format, the same
atomic writes, locks and checks: it is an ordinary document of that backend). The project's main
document then only lists the pipelines, each with an empty entry, so tools that show all of state
know which pipeline documents to read; it carries no history and stays small.

State written before (every pipeline inside the main document) moves automatically: the first run
that finds history in the main document copies each pipeline into its own document, merging with
anything already there (runs by id; node records and marks by time, newest wins), and only then
empties the main document's entries, under the main document's state lock. A run stopped half way
loses nothing: the next run merges again (merging is idempotent). Backends without
``pipeline_backend`` keep everything in one document, as before.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator

from odibi_core.contracts.state import PipelineState, StateBackend, StateDocument


def has_content(state: PipelineState) -> bool:
    """Whether a pipeline entry holds anything (runs, node records or marks)."""
    return bool(state.runs or state.nodes or state.high_water_marks)


def _merge_into(name: str, state: PipelineState, own: StateDocument) -> None:
    merge_pipeline(own.pipeline(name), state)


def merge_pipeline(into: PipelineState, other: PipelineState) -> None:
    """Add ``other``'s runs, node records and marks to ``into`` (in place).

    Runs are matched by id (``into``'s copy wins) and kept oldest first; of two records of a node,
    or two marks of a node in an environment, the later one wins. Merging twice changes nothing.
    """
    known = {run.run_id for run in into.runs}
    added = [run.model_copy(deep=True) for run in other.runs if run.run_id not in known]
    if added:
        into.runs = sorted([*into.runs, *added], key=lambda run: run.started_at)
    for name, record in other.nodes.items():
        mine = into.nodes.get(name)
        if mine is None or (record.finished_at or "") > (mine.finished_at or ""):
            into.nodes[name] = record.model_copy(deep=True)
    for environment, marks in other.high_water_marks.items():
        target = into.high_water_marks.setdefault(environment, {})
        for node, mark in marks.items():
            mine_mark = target.get(node)
            if mine_mark is None or (mark.updated_at or "") > (mine_mark.updated_at or ""):
                target[node] = mark.model_copy(deep=True)


@contextlib.contextmanager
def _opened(backend: StateBackend) -> Iterator[StateBackend]:
    try:
        yield backend
    finally:
        backend.close()


def move_out(doc: StateDocument, main: StateBackend) -> None:
    """Move every pipeline with content in ``doc`` (the main document, being updated under its
    state lock) into its own document, then empty its entry. Each pipeline document is written
    before its entry is emptied, so a failure part way leaves the history in one place or both."""
    for name, state in doc.pipelines.items():
        if not has_content(state):
            continue
        child = main.pipeline_backend(name)
        if child is None:
            return
        with _opened(child) as store:
            store.update(functools.partial(_merge_into, name, state))
        doc.pipelines[name] = PipelineState()


def prepare_pipeline_store(main: StateBackend, pipeline: str, *, timeout: float) -> StateBackend:
    """The backend holding ``pipeline``'s history: its own document (moving any history still in
    the main document there, and listing the pipeline in the main document) or, for backends
    without pipeline documents, ``main`` itself. The caller closes what it gets unless it is
    ``main``."""
    child = main.pipeline_backend(pipeline)
    if child is None:
        return main
    doc = main.read()
    if (
        doc is None
        or pipeline not in doc.pipelines
        or any(has_content(s) for s in doc.pipelines.values())
    ):

        def register(current: StateDocument) -> None:
            move_out(current, main)
            current.pipeline(pipeline)

        main.update(register, timeout=timeout)
    return child


def read_pipeline(
    main: StateBackend, pipeline: str, main_doc: StateDocument | None = None
) -> PipelineState | None:
    """``pipeline``'s state as a run would see it (its own document merged with anything the
    main document still holds for it), or ``None`` if nothing is recorded. Takes no lock."""
    doc = main_doc if main_doc is not None else main.read()
    leftover = doc.pipelines.get(pipeline) if doc is not None else None
    child = main.pipeline_backend(pipeline)
    if child is None:
        return leftover.model_copy(deep=True) if leftover is not None else None
    with _opened(child) as store:
        own_doc = store.read()
    own = own_doc.pipelines.get(pipeline) if own_doc is not None else None
    if own is None:
        return leftover.model_copy(deep=True) if leftover is not None else None
    if leftover is not None and has_content(leftover):
        merge_pipeline(own, leftover)
    return own


def read_all(main: StateBackend) -> StateDocument | None:
    """The main document with every listed pipeline's state filled in from its own document
    (what ``odibi state show``/``history`` and ``odibi doctor`` display). Takes no lock."""
    doc = main.read()
    if doc is None:
        return None
    for name in list(doc.pipelines):
        state = read_pipeline(main, name, doc)
        doc.pipelines[name] = state if state is not None else PipelineState()
    return doc


__all__ = [
    "has_content",
    "merge_pipeline",
    "move_out",
    "prepare_pipeline_store",
    "read_all",
    "read_pipeline",
]
