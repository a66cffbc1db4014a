"""decide_resume: exactly the nodes a fresh run would rebuild identically are reused, with
reasons."""

from __future__ import annotations

from typing import Any

from odibi_core.config.models import PipelineConfig
from odibi_core.contracts.state import NodeRecord
from odibi_core.execution.resume import can_read_back, decide_resume
from odibi_core.planning.dag import Plan, build_plan
from odibi_core.state.marks import DEFAULT_ENVIRONMENT

SOURCES = {"src": "files:1:aaa", "side": "files:1:bbb"}


def _plan(**write_of_a: Any) -> Plan:
    # src (read, no output) -> a (output) -> b (output) -> c (output); side (read, output)
    a_write = {"connection": "lake", "path": "a.parquet", **write_of_a}
    return build_plan(
        PipelineConfig.model_validate(
            {
                "pipeline": "p",
                "nodes": [
                    {"name": "src", "read": {"connection": "raw", "path": "x.csv"}},
                    {
                        "name": "a",
                        "depends_on": ["src"],
                        "transform": {"steps": ["SELECT * FROM src"]},
                        "write": a_write,
                    },
                    {
                        "name": "b",
                        "depends_on": ["a"],
                        "write": {"connection": "lake", "path": "b.parquet"},
                    },
                    {
                        "name": "c",
                        "depends_on": ["b"],
                        "write": {"connection": "lake", "path": "c.parquet"},
                    },
                    {
                        "name": "side",
                        "read": {"connection": "raw", "path": "y.csv"},
                        "write": {"connection": "lake", "path": "side.parquet"},
                    },
                ],
            }
        )
    )


COLUMNS = [("id", "int64"), ("total", "decimal128(38, 0)")]


def _records(
    plan: Plan, finished: str = "2024-01-01T00:00:00.000+00:00", **status: str
) -> dict[str, NodeRecord]:
    return {
        name: NodeRecord(
            status=status.get(name, "success"),
            fingerprint=plan.fingerprints[name],
            finished_at=finished,
            run_id="run-1",
            environment=DEFAULT_ENVIRONMENT,
            source_fingerprint=SOURCES.get(name),
            columns=COLUMNS,
        )
        for name in plan.order
    }


def _decide(
    plan: Plan,
    records: dict[str, NodeRecord],
    *,
    exists: Any = lambda name: True,
    sources: dict[str, str | None] | None = None,
    environment: str = DEFAULT_ENVIRONMENT,
    read_back: Any = lambda name: COLUMNS,
) -> Any:
    current = dict(SOURCES, **(sources or {}))
    return decide_resume(
        plan,
        records.get,
        exists,
        source_fingerprint=current.get,
        read_back_columns=read_back,
        environment=environment,
    )


def test_everything_unchanged_is_reused() -> None:
    plan = _plan()
    decision = _decide(plan, _records(plan))
    assert set(decision.unchanged) == set(plan.order)
    assert decision.reasons == {}
    assert decision.unchanged["a"].status == "unchanged"
    assert decision.unchanged["side"].skipped_reason == (
        "succeeded in run run-1; config unchanged, source unchanged, output exists"
    )


def test_a_failed_node_and_its_dependents_run_and_the_rest_is_reused() -> None:
    plan = _plan()
    decision = _decide(plan, _records(plan, b="failed"))
    assert set(decision.unchanged) == {"src", "a", "side"}
    assert decision.reasons["b"] == "its last run failed (run run-1)"
    assert decision.reasons["c"] == "upstream b runs in this run"


def test_a_changed_source_reruns_the_reader_and_everything_downstream() -> None:
    plan = _plan()
    decision = _decide(plan, _records(plan), sources={"src": "files:1:changed"})
    assert decision.reasons["src"] == "its source (raw) changed since its last success"
    assert [n for n in plan.order if n in decision.reasons] == ["src", "a", "b", "c"]
    assert set(decision.unchanged) == {"side"}


def test_a_source_that_cannot_tell_makes_its_reader_run_and_says_so() -> None:
    plan = _plan()
    records = _records(plan)
    decision = _decide(plan, records, sources={"side": None})
    assert "cannot tell whether its source changed" in decision.reasons["side"]
    assert "gives no fingerprint now" in decision.reasons["side"]
    records["src"] = records["src"].model_copy(update={"source_fingerprint": None})
    decision = _decide(plan, records)
    assert "gave no fingerprint then" in decision.reasons["src"]


def test_a_passthrough_that_runs_for_a_running_node_makes_its_other_dependents_run() -> None:
    # src feeds a and also d; d's config changed, so d runs and needs src's frame: src runs,
    # and a (which reads src) must run too even though nothing about a changed
    plan = build_plan(
        PipelineConfig.model_validate(
            {
                "pipeline": "p",
                "nodes": [
                    {"name": "src", "read": {"connection": "raw", "path": "x.csv"}},
                    {
                        "name": "a",
                        "depends_on": ["src"],
                        "write": {"connection": "lake", "path": "a.parquet"},
                    },
                    {
                        "name": "d",
                        "depends_on": ["src"],
                        "write": {"connection": "lake", "path": "d.parquet"},
                    },
                ],
            }
        )
    )
    records = _records(plan)
    records["d"] = records["d"].model_copy(update={"fingerprint": "0123"})
    decision = _decide(plan, records)
    assert (
        decision.reasons["src"] == "node d runs and needs its frame (it has no output to read back)"
    )
    assert decision.reasons["a"] == "upstream src runs in this run"
    assert decision.unchanged == {}


def test_an_output_that_cannot_be_read_back_makes_its_node_run_for_a_running_dependent() -> None:
    plan = _plan(mode="append")
    records = _records(plan, b="failed")
    decision = _decide(plan, records)
    assert "keeps earlier rows" in decision.reasons["a"]
    assert decision.reasons["src"].startswith("node a runs")
    csv_plan = _plan(path="a.csv")
    decision = _decide(csv_plan, _records(csv_plan, b="failed"))
    assert (
        decision.reasons["a"]
        == "node b runs and needs its frame (its csv output does not keep the exact column types)"
    )


def test_an_output_that_reads_back_with_other_types_makes_its_node_run() -> None:
    plan = _plan()
    records = _records(plan, b="failed")
    assert set(_decide(plan, records).unchanged) == {"src", "a", "side"}  # a is read back
    changed = [("id", "int64"), ("total", "double")]
    decision = _decide(plan, records, read_back=lambda name: changed)
    assert decision.reasons["a"] == (
        "node b runs and needs its frame (its output reads back as id int64, "
        "total double, not id int64, total decimal128(38, 0))"
    )
    assert decision.reasons["src"].startswith("node a runs")
    decision = _decide(plan, records, read_back=lambda name: None)
    assert decision.reasons["a"].endswith("(its output cannot be read back)")
    unrecorded = {**records, "a": records["a"].model_copy(update={"columns": None})}
    assert "not recorded" in _decide(plan, unrecorded).reasons["a"]


def test_can_read_back_only_whole_parquet_outputs() -> None:
    assert can_read_back(_plan().nodes["a"])
    assert not can_read_back(_plan(mode="append").nodes["a"])
    assert not can_read_back(_plan(path="a.json").nodes["a"])
    assert not can_read_back(_plan(options={"compression": "zstd"}).nodes["a"])
    assert not can_read_back(_plan().nodes["src"])


def test_a_missing_output_or_record_reruns() -> None:
    plan = _plan()
    records = _records(plan)
    del records["side"]
    decision = _decide(plan, records, exists=lambda name: name != "b")
    assert decision.reasons["side"] == "no earlier run of this node is recorded"
    assert decision.reasons["b"] == "its output is missing"
    assert decision.reasons["c"] == "upstream b runs in this run"
    assert set(decision.unchanged) == {"src", "a"}


def test_an_upstream_that_succeeded_after_a_node_makes_it_stale() -> None:
    plan = _plan()
    records = _records(plan)
    records["b"] = records["b"].model_copy(update={"finished_at": "2024-01-02T00:00:00.000+00:00"})
    decision = _decide(plan, records)
    assert decision.reasons == {"c": "upstream b succeeded after this node's last success"}


def test_a_record_of_another_environment_is_not_reused() -> None:
    plan = _plan()
    decision = _decide(plan, _records(plan), environment="prod")
    assert decision.unchanged == {}
    assert decision.reasons["side"] == "its last success was in environment (default), not prod"
    records = {n: r.model_copy(update={"environment": None}) for n, r in _records(plan).items()}
    assert "before state kept environments" in _decide(plan, records).reasons["side"]
