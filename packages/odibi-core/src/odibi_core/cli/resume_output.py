"""What ``odibi run`` prints about resuming: the ``--dry-run --resume`` preview and the hint of a
failed run (which recommends ``--resume`` only where it helps)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from odibi_core.cli.context import echo

if TYPE_CHECKING:
    from odibi_core.contracts.lifecycle import RunResult
    from odibi_core.execution.resume_plan import ResumePreview

REUSED_STATUSES = ("success", "unchanged")


def print_resume_preview(previews: list[ResumePreview]) -> None:
    """One line per selected node: ``reuse`` or ``run``, and why."""
    for preview in previews:
        order = preview.plan.order
        decision = preview.decision
        reused = [n for n in order if n in decision.unchanged]
        echo(
            f"resume of pipeline {preview.plan.pipeline.pipeline}: {len(reused)} of {len(order)} "
            f"node(s) would be reused"
        )
        width = max((len(n) for n in order), default=4)
        for name in order:
            if name in decision.unchanged:
                echo(f"  {name:<{width}}  reuse  {decision.unchanged[name].skipped_reason}")
            else:
                echo(f"  {name:<{width}}  run    {decision.reasons.get(name, '')}".rstrip())


def failure_hint(results: list[RunResult], *, state_on: bool, resumed: bool) -> str:
    """The hint of a failed run: ``--resume`` is recommended only when state is kept and some
    node's work can be reused (it succeeded or was reused in a failed pipeline)."""
    reusable = any(
        node.status in REUSED_STATUSES
        for result in results
        if not result.ok
        for node in result.nodes.values()
    )
    if state_on and reusable:
        again = "`odibi run --resume` again" if resumed else "`odibi run --resume`"
        return (
            f"Fix the node errors above, then {again} reruns the failed nodes and what depends "
            "on them."
        )
    if not state_on:
        return "Fix the node errors above and run again (without run state every node runs again)."
    return (
        "Fix the node errors above and run again (no node succeeded, so there is nothing to reuse)."
    )
