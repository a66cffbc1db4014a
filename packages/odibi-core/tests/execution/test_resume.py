"""decide_resume: exactly the unchanged, successful nodes are reused, with reasons for the rest."""

from __future__ import annotations

from odibi_core.config.models import PipelineConfig
from odibi_core.contracts.state import NodeRecord
from odibi_core.execution.resume import decide_resume
from odibi_core.planning.dag import Plan, build_plan


def _plan() -> Plan:
    # src (no output) -> a (output) -> b (output) -> c (output); side (output, independent)
    return build_plan(PipelineConfig.model_validate({"pipeline": "p", "nodes": [
        {"name": "src", "read": {"connection": "raw", "path": "x.csv"}},
        {"name": "a", "depends_on": ["src"], "transform": {"steps": ["SELECT * FROM src"]},
         "write": {"connection": "lake", "path": "a.parquet"}},
        {"name": "b", "depends_on": ["a"], "write": {"connection": "lake", "path": "b.parquet"}},
        {"name": "c", "depends_on": ["b"], "write": {"connection": "lake", "path": "c.parquet"}},
        {"name": "side", "read": {"connection": "raw", "path": "y.csv"},
         "write": {"connection": "lake", "path": "side.parquet"}},
    ]}))


def _records(plan: Plan, finished: str = "2024-01-01T00:00:00.000+00:00", **status: str) -> dict[str, NodeRecord]:
    return {name: NodeRecord(status=status.get(name, "success"), fingerprint=plan.fingerprints[name],
                             finished_at=finished, run_id="run-1") for name in plan.order}


def test_everything_unchanged_is_reused() -> None:
    plan = _plan()
    records = _records(plan)
    decision = decide_resume(plan, records.get, lambda name: True)
    assert set(decision.unchanged) == set(plan.order)
    assert decision.reasons == {}
    assert decision.unchanged["a"].status == "unchanged"
    assert "run-1" in (decision.unchanged["a"].skipped_reason or "")


def test_a_failed_node_and_its_dependents_run_and_the_rest_is_reused() -> None:
    plan = _plan()
    records = _records(plan, b="failed")
    decision = decide_resume(plan, records.get, lambda name: True)
    assert set(decision.unchanged) == {"src", "a", "side"}
    assert decision.reasons["b"] == "its last run failed (run run-1)"
    assert decision.reasons["c"] == "upstream b runs again"


def test_a_changed_fingerprint_reruns_the_node_and_a_needed_passthrough() -> None:
    plan = _plan()
    records = _records(plan)
    records["a"] = records["a"].model_copy(update={"fingerprint": "old"})
    decision = decide_resume(plan, records.get, lambda name: True)
    assert set(decision.unchanged) == {"side"}
    assert "config" in decision.reasons["a"]
    assert decision.reasons["src"].startswith("node a runs and needs its frame")


def test_a_missing_output_or_record_reruns() -> None:
    plan = _plan()
    records = _records(plan)
    del records["side"]
    decision = decide_resume(plan, records.get, lambda name: name != "b")
    assert decision.reasons["side"] == "no earlier run of this node is recorded"
    assert decision.reasons["b"] == "its output is missing"
    assert decision.reasons["c"] == "upstream b runs again"
    assert set(decision.unchanged) == {"src", "a"}


def test_an_upstream_rebuilt_after_a_nodes_success_makes_it_stale() -> None:
    plan = _plan()
    records = _records(plan)
    records["b"] = records["b"].model_copy(update={"finished_at": "2024-01-02T00:00:00.000+00:00"})
    decision = decide_resume(plan, records.get, lambda name: True)
    assert decision.reasons == {"c": "upstream b was rebuilt after this node's last success"}
