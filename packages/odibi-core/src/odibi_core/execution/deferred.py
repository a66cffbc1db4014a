"""Nodes whose output is computed by the node that reads them, until that node settles them.

A node that only feeds one other node is not computed when it finishes: a lazy engine computes it
inside its consumer's query. Its ``success`` stands only once that happened. When the consumer
finishes, every lazy node it was to compute is settled:

* the consumer succeeded, or checked them while looking for the culprit of its failure: success;
* the consumer's failure was blamed on some of them: those failed, the ones behind them skipped;
* the consumer failed for another reason or never ran, and the run goes on: they are computed on
  their own now (once each), so their status is still true;
* the run is stopping (fail-fast) or was interrupted: they are marked ``skipped`` or
  ``interrupted`` with the reason: the run says they were not computed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence

from odibi_core.contracts.engine import Engine
from odibi_core.contracts.lifecycle import NodeResult
from odibi_core.execution.blame import Blame, LazyNode, find_culprits
from odibi_core.execution.failure import describe_failure, format_failure, step_hint
from odibi_core.execution.node import NodeOutput
from odibi_core.planning.dag import Plan

logger = logging.getLogger("odibi.run")


class DeferredOutputs:
    """The lazy nodes of one pipeline run that wait for their consumer."""

    def __init__(self, plan: Plan, locations: Callable[[str], Mapping[int, str]]) -> None:
        self.plan = plan
        self.locations = locations
        self.waiting: dict[str, LazyNode] = {}
        self._position = {name: i for i, name in enumerate(plan.order)}

    def __contains__(self, name: object) -> bool:
        return name in self.waiting

    def add(self, name: str, output: NodeOutput) -> None:
        """``name`` finished without computing its output."""
        self.waiting[name] = LazyNode(
            name, output.frame, list(output.phases), list(self.plan.upstream[name])
        )

    def chain(self, name: str) -> list[LazyNode]:
        """The lazy nodes ``name`` computes: its waiting upstream nodes and theirs, in run order."""
        seen: set[str] = set()
        stack = [u for u in self.plan.upstream[name] if u in self.waiting]
        while stack:
            current = stack.pop()
            if current not in seen:
                seen.add(current)
                stack.extend(u for u in self.plan.upstream[current] if u in self.waiting)
        return [self.waiting[n] for n in sorted(seen, key=self._position.__getitem__)]

    def settle(
        self,
        consumer: str,
        results: dict[str, NodeResult],
        engine: Engine,
        *,
        error: BaseException | None = None,
        stop_reason: str | None = None,
        interrupted_reason: str | None = None,
    ) -> list[str]:
        """Settle the lazy nodes ``consumer`` was to compute (see the module doc).

        Args:
            consumer: A node that just finished (or was skipped or interrupted).
            results: Node results of the run, updated in place.
            engine: The run's engine (to compute nodes on their own).
            error: The consumer's failure: its ``blame`` (what it was blamed on) and
                ``computed_upstream`` (lazy nodes its failure check computed whole), if any.
            stop_reason: Why the run starts no more work (fail-fast), if it does not.
            interrupted_reason: Why the run was interrupted, if it was.

        Returns:
            The lazy nodes that failed.
        """
        blame: Blame | None = getattr(error, "blame", None)
        computed: Sequence[str] = getattr(error, "computed_upstream", None) or ()
        if consumer in self.waiting:
            return []  # itself lazy: its consumer settles the whole chain
        chain = self.chain(consumer)
        for lazy in chain:
            del self.waiting[lazy.name]
        if not chain:
            return []
        names = [lazy.name for lazy in chain]
        if blame is not None and blame.culprits:
            return self._apply(blame, results)
        if results[consumer].status == "success" or set(names) <= set(computed):
            return []
        if interrupted_reason is not None:
            self._mark(names, results, "interrupted", interrupted_reason)
            return []
        if stop_reason is not None:
            why = (
                f"node {consumer}, which was to compute it, failed first"
                if results[consumer].status == "failed"
                else stop_reason
            )
            self._mark(names, results, "skipped", f"not computed: {why}")
            return []
        return self._apply(find_culprits(engine, chain), results)

    def _mark(
        self, names: list[str], results: dict[str, NodeResult], status: str, reason: str
    ) -> None:
        for name in names:
            results[name].status = status
            results[name].skipped_reason = reason
            logger.warning("node %s %s: %s", name, status, reason)

    def _apply(self, blame: Blame, results: dict[str, NodeResult]) -> list[str]:
        for name, culprit in blame.culprits.items():
            phase = culprit.phase
            hint = (
                step_hint(name, phase, self.locations(name).get(phase.step or 0))
                if phase is not None
                else None
            )
            describe_failure(
                culprit.error,
                where=phase.describe() if phase is not None else "compute",
                phase=phase,
                hint=hint,
            ).apply(results[name])
            logger.error("%s", "\n".join(format_failure(results[name])))
        for name in blame.skipped:
            failed = [c for c in blame.culprits if c in self.plan.ancestors(name)]
            self._mark(
                [name],
                results,
                "skipped",
                f"upstream node {', '.join(failed) or '?'} did not succeed",
            )
        return list(blame.culprits)
