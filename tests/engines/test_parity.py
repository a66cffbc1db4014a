"""Every example project and the edge-case project write equal outputs on duckdb, pandas and spark.

Outputs are compared as data (see :mod:`odibi_core.testing.parity` for the rules and the float
tolerance); duckdb, the default engine, is the baseline.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from odibi_core.testing.parity import assert_same_output, read_outputs

HERE = Path(__file__).resolve().parent
EXAMPLES = sorted(p.parent for p in (HERE.parents[1] / "examples").glob("*/odibi.yaml"))
EDGE_PROJECT = HERE / "edge_project"

EVENTS_CSV = """\
event_id,user_id,ts,ts_naive,day,amount,note
1,1,2024-03-10T01:30:00+01:00,2024-03-10 01:30:00,2024-03-10,10.10,café
2,2,2024-03-10T23:59:59-05:00,2024-03-10 23:59:59,2024-03-11,0.01,"quoted, comma"
3,,,,,,
4,3,2023-12-31T23:00:00+00:00,2023-12-31 23:00:00,2023-12-31,-5.50,日本語
5,1,2024-06-01T12:00:00+05:30,2024-06-01 12:00:00,2024-06-01,1000.0,😀 emoji
6,9,2024-06-01T12:00:00+05:30,2024-06-01 12:00:00,2024-06-01,2.5,no such user
"""

LINES = [
    {"kind": "a", "value": 1, "text": "ünïcödé"},
    {"kind": None, "value": 2.5, "text": "null kind"},
    {"kind": "a", "value": 3, "text": "中文"},
    {"value": 4, "text": "missing kind"},
    {"kind": "b", "value": None, "text": ""},
]


def make_edge_data(folder: Path) -> None:
    """Write the edge-case inputs into ``folder``."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder.mkdir(parents=True, exist_ok=True)
    (folder / "events.csv").write_text(EVENTS_CSV, encoding="utf-8")
    (folder / "empty.csv").write_text("k,v\n", encoding="utf-8")
    (folder / "lines.json").write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in LINES), encoding="utf-8"
    )
    utc = dt.timezone.utc
    d = decimal.Decimal
    users = pa.table(
        {
            "user_id": pa.array([1, 1, 2, None, 3, 4], pa.int64()),
            "name": pa.array(["Zoë", "Zoë (dup)", "José", None, "", "Ålborg"], pa.string()),
            "city": pa.array(["Zürich", "Zürich", None, "Oslo", "東京", "Malmö"], pa.string()),
            "balance": pa.array(
                [d("12.34"), d("0.00"), None, d("-1.50"), d("99999999.99"), d("5.55")],
                pa.decimal128(10, 2),
            ),
            "joined_at": pa.array(
                [
                    dt.datetime(2023, 5, 1, 22, 30, tzinfo=utc),
                    dt.datetime(2024, 1, 1, tzinfo=utc),
                    None,
                    dt.datetime(1970, 1, 1, tzinfo=utc),
                    dt.datetime(2024, 2, 29, 12, tzinfo=utc),
                    dt.datetime(2023, 12, 31, 23, 59, 59, 999999, tzinfo=utc),
                ],
                pa.timestamp("us", tz="UTC"),
            ),
            "local_time": pa.array(
                [
                    dt.datetime(2024, 1, 1, 9),
                    None,
                    dt.datetime(2024, 1, 2, 9),
                    dt.datetime(2000, 1, 1),
                    dt.datetime(2024, 1, 3, 9),
                    None,
                ],
                pa.timestamp("us"),
            ),
            "active": pa.array([True, False, None, True, False, True], pa.bool_()),
            "score": pa.array([1.5, None, 2.25, 0.1, 0.2, 1 / 3], pa.float64()),
        }
    )
    pq.write_table(users, folder / "users.parquet")
    pq.write_table(
        pa.table({"k": pa.array([], pa.int64()), "v": pa.array([], pa.string())}),
        folder / "empty.parquet",
    )


def run_ok(project_file: Path, engine: str, engine_options: dict[str, Any] | None = None) -> Any:
    """Run the project on ``engine`` and assert every pipeline succeeded."""
    from odibi_core.testing.parity import run_on_engine

    results = run_on_engine(project_file, engine, engine_options)
    failed = {
        r.pipeline: {n: x.error for n, x in r.nodes.items() if x.status != "success"}
        for r in results
        if r.status != "success"
    }
    assert not failed, f"{engine}: {failed}"
    return results


def compare_engines(
    project: Path,
    engine: str,
    copy_project: Callable[[Path, str], Path],
    prepare: Callable[[Path], None] | None = None,
    engine_options: dict[str, Any] | None = None,
) -> int:
    """Run ``project`` on duckdb and on ``engine``; assert equal outputs; return outputs
    compared."""
    baseline_file = copy_project(project, "duckdb")
    other_file = copy_project(project, engine)
    for f in (baseline_file, other_file):
        if prepare is not None:
            prepare(f.parent)
    run_ok(baseline_file, "duckdb")
    run_ok(other_file, engine, engine_options)
    expected, actual = read_outputs(baseline_file), read_outputs(other_file)
    assert expected.keys() == actual.keys()
    assert expected
    for node, data in expected.items():
        assert_same_output(data, actual[node], f"{engine} {project.name} {node}")
    return len(expected)


def test_the_repository_has_example_projects() -> None:
    assert EXAMPLES, "no examples/*/odibi.yaml found"


NOT_ON_ENGINE = {
    (
        "delta",
        "spark",
    ): "engine 'spark' cannot use format 'delta': the Spark session has no Delta support",
    ("azure", "spark"): "connection 'lake' \\(type azure_blob\\) needs an engine with fsspec",
}
"""Examples an engine refuses at load time (Delta's Spark jars and Azure through fsspec are not
on the test machines' Spark), with the refusal the user sees."""


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_example_projects_write_equal_outputs(
    example: Path, other_engine: str, copy_project: Callable[[Path, str], Path]
) -> None:
    refusal = NOT_ON_ENGINE.get((example.name, other_engine))
    if refusal is not None:
        from odibi_core.errors import ConfigError
        from odibi_core.testing.parity import run_on_engine

        with pytest.raises(ConfigError, match=refusal):
            run_on_engine(copy_project(example, other_engine), other_engine)
        return
    assert compare_engines(example, other_engine, copy_project) >= 1


def test_edge_cases_write_equal_outputs(
    other_engine: str, copy_project: Callable[[Path, str], Path]
) -> None:
    compared = compare_engines(
        EDGE_PROJECT,
        other_engine,
        copy_project,
        prepare=lambda folder: make_edge_data(folder / "data"),
    )
    assert compared == 10
