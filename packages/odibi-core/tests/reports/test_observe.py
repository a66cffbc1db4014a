"""Samples and profiles taken while a node runs: masking, sensitive nodes, JSON-safe values."""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Iterator

import pytest
from odibi_core.config.models import NodeConfig, ReportsConfig
from odibi_core.contracts.lifecycle import NodeResult
from odibi_core.engines.duckdb_engine import DuckDBEngine
from odibi_core.reports.observe import MAX_TEXT, ObserveOptions, json_safe, observe, observe_options

NODE = {"name": "n", "depends_on": ["x"]}


@pytest.fixture
def engine() -> Iterator[DuckDBEngine]:
    e = DuckDBEngine()
    yield e
    e.close()


def _frame(engine: DuckDBEngine):  # type: ignore[no-untyped-def]
    return engine.persist(
        engine.sql(
            "SELECT * FROM (VALUES (1, 'a@x.org', NULL), (2, 'b@x.org', 'z'), (3, NULL, "
            "'z')) t(id, Email, tag)",
            {},
        )
    )


def _result(engine: DuckDBEngine, frame: object) -> NodeResult:
    return NodeResult(name="n", status="running", schema_out=engine.schema(frame))


def test_options_follow_the_reports_section_and_the_node() -> None:
    node = NodeConfig.model_validate({**NODE, "mask_columns": ["email"]})
    assert observe_options(ReportsConfig(samples=True), node) == ObserveOptions(
        5, None, ("email",), False
    )
    assert observe_options(ReportsConfig(samples=True, enabled=False), node) is None
    assert observe_options(ReportsConfig(), node) is None  # samples are opt-in
    opted_in = NodeConfig.model_validate({**NODE, "report_samples": True})
    assert observe_options(ReportsConfig(), opted_in) == ObserveOptions(5, None, (), False)
    opted_out = NodeConfig.model_validate({**NODE, "report_samples": False})
    assert observe_options(ReportsConfig(samples=True), opted_out) is None
    profile_only = ObserveOptions(0, None, ("email",), True)
    assert observe_options(ReportsConfig(samples=False, profile=True), node) == profile_only
    sensitive = NodeConfig.model_validate({**NODE, "sensitive": True})
    options = observe_options(ReportsConfig(samples=True, sample_rows=2), sensitive)
    assert options is not None
    assert options.sample_rows == 0
    assert options.sample_note == "withheld: the node is marked sensitive"


def test_sample_masks_columns_case_insensitively(engine: DuckDBEngine) -> None:
    frame = _frame(engine)
    result = _result(engine, frame)
    observe(engine, frame, result, ObserveOptions(sample_rows=2, mask_columns=("email",)))
    assert result.sample == [
        {"id": 1, "Email": "[REDACTED]", "tag": None},
        {"id": 2, "Email": "[REDACTED]", "tag": "z"},
    ]
    assert result.sample_note is None


def test_a_mask_naming_no_output_column_withholds_the_sample(engine: DuckDBEngine) -> None:
    frame = _frame(engine)
    result = _result(engine, frame)
    observe(engine, frame, result, ObserveOptions(sample_rows=2, mask_columns=("e_mail",)))
    assert result.sample is None
    assert result.sample_note is not None
    assert "e_mail" in result.sample_note


def test_sensitive_node_gets_a_note_and_no_rows(engine: DuckDBEngine) -> None:
    frame = _frame(engine)
    result = _result(engine, frame)
    observe(engine, frame, result, ObserveOptions(sample_rows=0, sample_note="withheld: sensitive"))
    assert result.sample is None
    assert result.sample_note == "withheld: sensitive"


def test_a_sample_that_would_cost_a_pass_is_noted_not_taken(engine: DuckDBEngine) -> None:
    view = engine.sql(
        "SELECT tag, count(*) AS n FROM (VALUES ('a'), ('b')) t(tag) GROUP BY tag", {}
    )
    result = _result(engine, view)
    observe(engine, view, result, ObserveOptions(sample_rows=3))
    assert result.sample is None
    assert result.sample_note is not None
    assert "another pass" in result.sample_note


def test_profile_counts_nulls_and_distinct_values(engine: DuckDBEngine) -> None:
    frame = _frame(engine)
    result = _result(engine, frame)
    observe(engine, frame, result, ObserveOptions(profile=True))
    assert result.sample is None
    assert result.profile == {
        "rows": 3,
        "columns": [
            {"name": "id", "type": "int32", "nulls": 0, "null_ratio": 0.0, "distinct": 3},
            {"name": "Email", "type": "string", "nulls": 1, "null_ratio": 0.333333, "distinct": 2},
            {"name": "tag", "type": "string", "nulls": 1, "null_ratio": 0.333333, "distinct": 1},
        ],
    }


def test_observing_never_raises(engine: DuckDBEngine) -> None:
    frame = _frame(engine)
    result = _result(engine, frame)
    engine.close()  # every engine call now fails
    observe(engine, frame, result, ObserveOptions(sample_rows=2, profile=True))
    assert result.sample is None
    assert result.sample_note is not None
    assert result.sample_note.startswith("not taken")
    assert result.profile is not None
    assert "error" in result.profile


def test_json_safe_values() -> None:
    assert json_safe(float("nan")) == "nan"
    assert json_safe(decimal.Decimal("1.50")) == "1.50"
    assert json_safe(dt.datetime(2026, 1, 2, 3, 4, 5)) == "2026-01-02T03:04:05"
    assert json_safe(dt.date(2026, 1, 2)) == "2026-01-02"
    assert json_safe("x" * (MAX_TEXT + 10)) == "x" * MAX_TEXT + "…"
    assert json_safe(b"\x00" * 30).startswith("<30 bytes: ")
    assert json_safe({"a": [1, dt.time(1, 2)]}) == {"a": [1, "01:02:00"]}
