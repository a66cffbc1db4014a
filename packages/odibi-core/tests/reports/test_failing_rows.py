"""A failed validation's report shows rows that fail it (checked against a reference on generated
data), masked as configured, and only when report samples are on for the node."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from odibi_core.config.models import ValidationConfig
from odibi_core.contracts.lifecycle import NodeResult
from odibi_core.engines.duckdb_engine import DuckDBEngine
from odibi_core.execution.validation import run_validations
from odibi_core.reports.failing_rows import SAMPLES_OFF, observe_failing_rows
from odibi_core.reports.observe import ObserveOptions

CONFIG = ValidationConfig.model_validate(
    {
        "not_null": ["region"],
        "unique": ["id"],
        "accepted_values": {"status": ["ok", "late"]},
        "custom": [{"name": "positive", "sql": "amount > 0"}],
    }
)


@pytest.fixture(scope="module")
def engine() -> Iterator[DuckDBEngine]:
    e = DuckDBEngine()
    yield e
    e.close()


def reference_failures(rows: list[dict[str, object]], failed: set[str]) -> list[dict[str, object]]:
    """Rows failing one of the ``failed`` rules, by the rules' plain meaning."""
    ids = Counter(r["id"] for r in rows if r["id"] is not None)
    tests = {
        "not_null(region)": lambda r: r["region"] is None,
        "unique(id)": lambda r: r["id"] is not None and ids[r["id"]] > 1,
        "accepted_values(status)": lambda r: (
            r["status"] is not None and r["status"] not in ("ok", "late")
        ),
        "custom(positive)": lambda r: r["amount"] is None or not r["amount"] > 0,
    }
    return [r for r in rows if any(tests[rule](r) for rule in failed)]


row = st.fixed_dictionaries(
    {
        "id": st.one_of(st.none(), st.integers(1, 8)),
        "region": st.one_of(st.none(), st.sampled_from(["north", "south"])),
        "status": st.one_of(st.none(), st.sampled_from(["ok", "late", "lost"])),
        "amount": st.one_of(st.none(), st.integers(-3, 9)),
        "email": st.sampled_from(["a@example.com", "b@example.com"]),
    }
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(row, min_size=1, max_size=25), st.integers(1, 6))
def test_the_sample_holds_only_failing_rows(
    engine: DuckDBEngine, rows: list[dict[str, object]], limit: int
) -> None:
    table = pa.Table.from_pylist(
        rows,
        schema=pa.schema(
            [
                ("id", pa.int64()),
                ("region", pa.string()),
                ("status", pa.string()),
                ("amount", pa.int64()),
                ("email", pa.string()),
            ]
        ),
    )
    frame = engine.from_arrow(table)
    outcomes, _ = run_validations(engine, frame, CONFIG)
    failed = [o for o in outcomes if not o.passed]
    result = NodeResult(name="n", status="running", schema_out=engine.schema(frame))
    observe_failing_rows(
        engine,
        frame,
        result,
        ObserveOptions(sample_rows=limit, mask_columns=("EMAIL",)),
        CONFIG,
        failed,
    )
    expected = reference_failures(rows, {o.rule for o in failed})
    if not failed:
        assert result.sample is None
        assert result.sample_failing == []
        return
    assert result.sample is not None
    assert result.sample_failing == [o.rule for o in failed]
    assert len(result.sample) == min(limit, len(expected))
    unmasked = [{**r, "email": "[REDACTED]"} for r in expected]
    for shown in result.sample:
        assert shown in unmasked  # a failing row, its email masked


def test_no_rows_when_samples_are_off_and_the_note_says_how_to_turn_them_on(
    engine: DuckDBEngine,
) -> None:
    frame = engine.sql(
        "SELECT * FROM (VALUES (1, NULL, 'ok', 1)) t(id, region, status, amount)", {}
    )
    outcomes, _ = run_validations(engine, frame, CONFIG)
    failed = [o for o in outcomes if not o.passed]
    result = NodeResult(name="n", status="running")
    observe_failing_rows(engine, frame, result, None, CONFIG, failed)
    assert result.sample is None
    assert result.sample_note == SAMPLES_OFF
    assert "reports.samples: true" in SAMPLES_OFF
    withheld = NodeResult(name="n", status="running")
    observe_failing_rows(
        engine,
        frame,
        withheld,
        ObserveOptions(0, "withheld: the node is marked sensitive"),
        CONFIG,
        failed,
    )
    assert withheld.sample is None
    assert withheld.sample_note is None
