"""The kernel's own (innermost) implementations of the lifecycle hooks.

They call the work the runner attached to the context; plugins wrap them with
``@hookimpl(wrapper=True)``.
"""

from __future__ import annotations

from odibi_core.contracts.lifecycle import NodeResult, NodeRunContext, PipelineRunContext, RunResult
from odibi_core.plugins.hookspecs import hookimpl


@hookimpl(trylast=True)
def odibi_run_pipeline(context: PipelineRunContext) -> RunResult:
    """Run the pipeline (the runner's work function)."""
    assert context.work is not None
    return context.work()


@hookimpl(trylast=True)
def odibi_run_node(context: NodeRunContext) -> NodeResult:
    """Run the node (the runner's work function)."""
    assert context.work is not None
    return context.work()
