"""Finding the node and step to blame when a lazy computation fails.

A lazy engine computes a node that only feeds one other node inside that node's query: a
read -> clean -> join -> write chain runs as one query when the write runs. If that query fails,
the write is where it surfaced, not necessarily what is wrong. On failure only, each lazy frame
the failed query reads is computed on its own, once, upstream first: the first node whose output
fails to compute is to blame, and within it the first read or step that fails (an engine runs a
step's SQL as written, so the error points into the user's text). Nodes downstream of a blamed
node did not get a chance to run: they are skipped, not failed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from odibi_core.contracts.engine import Engine
from odibi_core.errors import EngineError, OdibiError
from odibi_core.execution.failure import Phase


@dataclass
class LazyNode:
    """A node whose output was not computed when it finished (its consumer computes it).

    Attributes:
        name: The node.
        frame: Its output frame.
        phases: Its read and steps, in order, with the frames they produced.
        upstream: The nodes it reads.
    """

    name: str
    frame: Any
    phases: list[Phase]
    upstream: list[str] = field(default_factory=list)


@dataclass
class Culprit:
    """What failed to compute: a node's read or step (``phase``) and the error it raised."""

    node: str
    phase: Phase | None
    error: BaseException


@dataclass
class Blame:
    """The outcome of checking the lazy frames behind a failed computation.

    Attributes:
        culprits: Lazy upstream nodes whose output does not compute.
        skipped: Lazy upstream nodes downstream of a culprit (never computed on their own).
        computed: Lazy upstream nodes whose whole output computed.
        own: The failed node's own read or step that does not compute (``None`` if none does, or
            if an upstream node is to blame).
    """

    culprits: dict[str, Culprit] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)
    computed: list[str] = field(default_factory=list)
    own: Culprit | None = None


def worth_blaming(exc: BaseException, phase: Phase | None) -> bool:
    """Whether ``exc`` may come from computing lazy frames (not a bad statement, not the user's
    Python code, not a connection's or the kernel's own deliberate error)."""
    if isinstance(exc, EngineError):
        return exc.computing
    if isinstance(exc, OdibiError) or not isinstance(exc, Exception):
        return False
    return phase is None or phase.kind != "function"


def check(engine: Engine, frame: Any) -> BaseException | None:
    """Compute ``frame`` whole; the error it raises, or ``None``."""
    try:
        engine.compute(frame)
    except Exception as exc:
        return exc
    return None


def _first_failing_phase(engine: Engine, lazy: LazyNode, error: BaseException) -> Culprit:
    """The first read or step of a node whose output failed (``error``) that fails on its own."""
    phases = [p for p in lazy.phases if p.frame is not None and not engine.is_computed(p.frame)]
    for phase in phases:
        found = error if phase.frame is lazy.frame else check(engine, phase.frame)
        if found is not None:
            return Culprit(lazy.name, phase, found)
    return Culprit(lazy.name, phases[-1] if phases else None, error)


def find_culprits(
    engine: Engine, chain: Sequence[LazyNode], own: Sequence[Phase] = (), *, node: str = ""
) -> Blame:
    """Check the lazy ``chain`` (in execution order) and then ``own`` phases of ``node``.

    Every node of the chain is settled: computed, a culprit, or skipped behind one. ``own`` is
    only checked when no upstream node is to blame.
    """
    blame = Blame()
    in_chain: Mapping[str, LazyNode] = {lazy.name: lazy for lazy in chain}
    for lazy in chain:
        if any(u in blame.culprits or u in blame.skipped for u in lazy.upstream if u in in_chain):
            blame.skipped.append(lazy.name)
            continue
        error = check(engine, lazy.frame)
        if error is None:
            blame.computed.append(lazy.name)
        else:
            blame.culprits[lazy.name] = _first_failing_phase(engine, lazy, error)
    if blame.culprits:
        return blame
    for phase in own:
        if phase.frame is None or engine.is_computed(phase.frame):
            continue
        error = check(engine, phase.frame)
        if error is not None:
            blame.own = Culprit(node, phase, error)
            break
    return blame
