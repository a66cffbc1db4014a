"""``odibi run --resume``: which nodes can be reused from their last successful run.

The promise: a resumed run leaves every output exactly as a fresh run of the same project would.
So a node is reused (status ``unchanged``, not executed) only if

* its last recorded run succeeded, in the same environment (``--env``),
* its config fingerprint is unchanged (the fingerprint covers the node's config and its upstream
  fingerprints, so editing a node's SQL changes it and every node downstream of it),
* the source it reads (if it has a ``read:``) is unchanged since that success, as far as the
  connection can tell: the source fingerprint recorded when it was read equals the one now, and
  both exist (a connection that cannot tell makes the node run, and the reason says so),
* no upstream node succeeded after it did (an upstream rebuilt by a ``--node`` run),
* its output still exists (a node that writes nothing has no output to check),
* no upstream node runs in this run, including upstream nodes that run only because a node that
  runs needs their frame.

A running node needs the frames of its upstream nodes. A reused upstream node's frame is read back
from its output only when that output holds exactly its frame (see :func:`can_read_back`) and the
columns read back have the names and types the node produced at its last success (a format may
store a type differently, e.g. a 128-bit integer as a double); otherwise the upstream node runs
too, and so does everything downstream of it. The rules are applied until nothing changes. Every
other node runs, and the reason is reported.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from odibi_core.config.models import NodeConfig
from odibi_core.contracts.lifecycle import NodeResult
from odibi_core.contracts.state import NodeRecord
from odibi_core.planning.dag import Plan
from odibi_core.state.marks import DEFAULT_ENVIRONMENT

READ_BACK_FORMATS = ("parquet", "delta")
"""File formats that store a frame with its exact column types, so it can be read back."""

CANNOT_TELL = "cannot tell whether its source changed since its last success"


@dataclass
class ResumeDecision:
    """The outcome of planning a resumed run.

    Attributes:
        unchanged: Results of the nodes that are reused (status ``unchanged``, with the reason).
        reasons: Why each other selected node runs again.
    """

    unchanged: dict[str, NodeResult] = field(default_factory=dict)
    reasons: dict[str, str] = field(default_factory=dict)


def can_read_back(node: NodeConfig) -> bool:
    """Whether ``node``'s output holds exactly its frame, so a reused node's frame can be read
    back from it: a whole-target write (``overwrite``/``error``) without writer options, to a
    type-preserving format (:data:`READ_BACK_FORMATS`). Not CSV or JSON (types are inferred
    again), not ``append``/``upsert`` (the target keeps earlier rows), not a table (its column
    types come from the database's type mapping)."""
    write = node.write
    return (
        write is not None
        and write.path is not None
        and write.mode in ("overwrite", "error")
        and not write.options
        and write.format in READ_BACK_FORMATS
    )


def decide_resume(
    plan: Plan,
    last_record: Callable[[str], NodeRecord | None],
    output_exists: Callable[[str], bool],
    *,
    source_fingerprint: Callable[[str], str | None] = lambda name: None,
    read_back_columns: Callable[[str], list[tuple[str, str]] | None] = lambda name: None,
    environment: str = DEFAULT_ENVIRONMENT,
) -> ResumeDecision:
    """Decide which nodes of ``plan`` a resumed run reuses (see the module docstring).

    Args:
        plan: The pipeline plan (with fingerprints and the selected nodes).
        last_record: The node's last effective record in state (success or failure), or ``None``.
        output_exists: Whether a node's output is still there (only asked about writing nodes).
        source_fingerprint: The current fingerprint of a reading node's source (``None``: the
            connection cannot tell). Only asked about nodes that are otherwise reusable.
        read_back_columns: Names and types of a node's output as it would be read back
            (``None``: cannot be read). Only asked about reused nodes a running node needs.
        environment: The environment key of this run
            (:func:`odibi_core.state.marks.environment_key`).
    """
    records = {name: last_record(name) for name in plan.order}
    reasons: dict[str, str] = {}
    for name in plan.order:
        reason = _own_reason(plan, name, records, environment, source_fingerprint, output_exists)
        if reason is not None:
            reasons[name] = reason
    _propagate(plan, reasons, _read_back_check(records, read_back_columns))
    decision = ResumeDecision(reasons={n: reasons[n] for n in plan.order if n in reasons})
    for name in plan.order:
        if name in reasons:
            continue
        record = records[name]
        assert record is not None
        node = plan.nodes[name]
        details = ["config unchanged"]
        if node.read is not None:
            details.append("source unchanged")
        details.append(
            "output exists" if node.write is not None else "nothing that runs needs its frame"
        )
        decision.unchanged[name] = NodeResult(
            name=name,
            status="unchanged",
            rows_out=record.rows_out,
            output=record.output,
            fingerprint=record.fingerprint,
            rows_total=record.rows_total,
            source_fingerprint=record.source_fingerprint,
            skipped_reason=f"succeeded in run {record.run_id or '?'}; {', '.join(details)}",
        )
    return decision


def _own_reason(
    plan: Plan,
    name: str,
    records: dict[str, NodeRecord | None],
    environment: str,
    source_fingerprint: Callable[[str], str | None],
    output_exists: Callable[[str], bool],
) -> str | None:
    """Why ``name`` must run judged on its own record, sources and output (``None``: it need
    not)."""
    record = records[name]
    if record is None:
        return "no earlier run of this node is recorded"
    if record.status != "success":
        return f"its last run {record.status}" + (
            f" (run {record.run_id})" if record.run_id else ""
        )
    if record.environment != environment:
        if record.environment is None:
            return "its last success was recorded before state kept environments"
        return f"its last success was in environment {record.environment}, not {environment}"
    if record.fingerprint != plan.fingerprints[name]:
        return "its config or an upstream node's config changed since its last success"
    newer = [
        d
        for d in plan.upstream[name]
        if (r := records.get(d)) is not None
        and r.status == "success"
        and (r.finished_at or "") > (record.finished_at or "")
    ]
    if newer:
        return f"upstream {', '.join(newer)} succeeded after this node's last success"
    node = plan.nodes[name]
    if node.read is not None:
        if record.source_fingerprint is None:
            return f"{CANNOT_TELL} (connection {node.read.connection} gave no fingerprint then)"
        current = source_fingerprint(name)
        if current is None:
            return f"{CANNOT_TELL} (connection {node.read.connection} gives no fingerprint now)"
        if current != record.source_fingerprint:
            return f"its source ({node.read.connection}) changed since its last success"
    if node.write is not None and not output_exists(name):
        return "its output is missing"
    return None


def _read_back_check(
    records: dict[str, NodeRecord | None],
    read_back_columns: Callable[[str], list[tuple[str, str]] | None],
) -> Callable[[str], str | None]:
    """``why_not(name)``: why a reused node's output cannot stand in for its frame (``None``: it
    can); asked at most once per node."""
    answers: dict[str, str | None] = {}

    def why_not(name: str) -> str | None:
        if name not in answers:
            record = records[name]
            expected = [tuple(c) for c in record.columns] if record and record.columns else None
            found = read_back_columns(name)
            if expected is None:
                answers[name] = "the columns it produced are not recorded"
            elif found is None:
                answers[name] = "its output cannot be read back"
            elif [tuple(c) for c in found] != expected:
                answers[name] = (
                    f"its output reads back as {_columns(found)}, not {_columns(expected)}"
                )
            else:
                answers[name] = None
        return answers[name]

    return why_not


def _columns(columns: list[tuple[str, str]] | list[tuple[str, ...]]) -> str:
    return ", ".join(f"{c[0]} {c[1]}" for c in columns)


def _propagate(
    plan: Plan, reasons: dict[str, str], why_not_read_back: Callable[[str], str | None]
) -> None:
    """Apply the rules between nodes until nothing changes: a node whose upstream runs runs; a
    reused node whose frame a running node needs, and cannot be read back, runs."""
    selected = set(plan.order)
    changed = True
    while changed:
        changed = False
        for name in plan.order:
            if name in reasons:
                for dep in plan.upstream[name]:
                    if dep not in selected or dep in reasons:
                        continue
                    node = plan.nodes[dep]
                    why = (
                        _why_no_read_back(node)
                        if not can_read_back(node)
                        else why_not_read_back(dep)
                    )
                    if why is not None:
                        reasons[dep] = f"node {name} runs and needs its frame ({why})"
                        changed = True
                continue
            running = [d for d in plan.upstream[name] if d in reasons]
            if running:
                reasons[name] = f"upstream {', '.join(running)} runs in this run"
                changed = True


def _why_no_read_back(node: NodeConfig) -> str:
    write = node.write
    if write is None:
        return "it has no output to read back"
    if write.mode not in ("overwrite", "error"):
        return f"its output is written with mode {write.mode} and keeps earlier rows"
    if write.path is None:
        return "its table's column types come from the database, not from the node"
    if write.options:
        return "its output is written with options and cannot be read back as it was"
    return f"its {write.format} output does not keep the exact column types"
