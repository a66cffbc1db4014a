"""``odibi run --resume``: which nodes can be reused from their last successful run.

A node is reused (status ``unchanged``, not executed) only if

* its last recorded run succeeded,
* its config fingerprint is unchanged (the fingerprint covers the node's config and its upstream
  fingerprints, so editing a node's SQL changes it and every node downstream of it),
* every selected upstream node is reused too, and no upstream output was rebuilt after this
  node's last success,
* its output still exists (a node that writes nothing has no output to check).

A reused node that writes nothing has no output to read back, so if a node that runs needs its
frame it runs as well. A reused node with an output is read back from that output instead.
Every other node runs, and the reason is reported.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from odibi_core.contracts.lifecycle import NodeResult
from odibi_core.contracts.state import NodeRecord
from odibi_core.planning.dag import Plan


@dataclass
class ResumeDecision:
    """The outcome of planning a resumed run.

    Attributes:
        unchanged: Results of the nodes that are reused (status ``unchanged``, with the reason).
        reasons: Why each other selected node runs again.
    """

    unchanged: dict[str, NodeResult] = field(default_factory=dict)
    reasons: dict[str, str] = field(default_factory=dict)


def decide_resume(plan: Plan, last_record: Callable[[str], NodeRecord | None],
                  output_exists: Callable[[str], bool]) -> ResumeDecision:
    """Decide which nodes of ``plan`` a resumed run reuses (see the module docstring).

    Args:
        plan: The pipeline plan (with fingerprints and the selected nodes).
        last_record: The node's last effective record in state (success or failure), or ``None``.
        output_exists: Whether a node's output is still there (only asked about writing nodes).
    """
    selected = set(plan.order)
    reusable: dict[str, NodeRecord] = {}
    reasons: dict[str, str] = {}
    for name in plan.order:
        reason = _why_rerun(plan, name, last_record(name), reusable, selected, output_exists)
        if reason is None:
            reusable[name] = last_record(name)  # type: ignore[assignment]
        else:
            reasons[name] = reason
    _run_needed_passthroughs(plan, reusable, reasons)
    decision = ResumeDecision(reasons=reasons)
    for name, record in reusable.items():
        writes = plan.nodes[name].write is not None
        detail = "output exists" if writes else "nothing that runs needs its frame"
        decision.unchanged[name] = NodeResult(
            name=name, status="unchanged", rows_out=record.rows_out, output=record.output,
            fingerprint=record.fingerprint,
            skipped_reason=f"succeeded in run {record.run_id or '?'}; config unchanged, {detail}",
        )
    return decision


def _why_rerun(plan: Plan, name: str, record: NodeRecord | None, reusable: dict[str, NodeRecord],
               selected: set[str], output_exists: Callable[[str], bool]) -> str | None:
    """Why ``name`` must run again, or ``None`` if it can be reused."""
    if record is None:
        return "no earlier run of this node is recorded"
    if record.status != "success":
        return f"its last run {record.status}" + (f" (run {record.run_id})" if record.run_id else "")
    if record.fingerprint != plan.fingerprints[name]:
        return "its config or an upstream node's config changed since its last success"
    upstream = [d for d in plan.upstream[name] if d in selected]
    rerun = [d for d in upstream if d not in reusable]
    if rerun:
        return f"upstream {', '.join(rerun)} runs again"
    rebuilt = [d for d in upstream if plan.nodes[d].write is not None
               and (reusable[d].finished_at or "") > (record.finished_at or "")]
    if rebuilt:
        return f"upstream {', '.join(rebuilt)} was rebuilt after this node's last success"
    if plan.nodes[name].write is not None and not output_exists(name):
        return "its output is missing"
    return None


def _run_needed_passthroughs(plan: Plan, reusable: dict[str, NodeRecord], reasons: dict[str, str]) -> None:
    """A reusable node without output runs if a running node needs its frame (transitively)."""
    changed = True
    while changed:
        changed = False
        for name in plan.order:
            if name in reusable:
                continue
            for dep in plan.upstream[name]:
                if dep in reusable and plan.nodes[dep].write is None:
                    del reusable[dep]
                    reasons[dep] = f"node {name} runs and needs its frame (it has no output to read back)"
                    changed = True
