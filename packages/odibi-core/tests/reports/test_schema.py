"""The published JSON schema: valid itself, shipped in the package, and strict enough to catch
mistakes."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from odibi_core.reports.model import REPORT_FORMAT_VERSION, RunReport, report_schema


@pytest.fixture
def report(shop: Callable[..., Path], run_shop: Callable[..., list[Any]]) -> dict[str, Any]:
    project = shop()
    run_shop(project)
    [path] = (project.parent / ".odibi/reports").glob("*/*.json")
    return json.loads(path.read_text())  # type: ignore[no-any-return]


def test_schema_is_a_valid_draft_2020_12_schema() -> None:
    schema = report_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["properties"]["format_version"]["const"] == REPORT_FORMAT_VERSION


def test_every_model_field_is_described_by_the_schema() -> None:
    schema = report_schema()
    assert set(RunReport.model_fields) == set(schema["properties"])
    from odibi_core.reports.model import NodeReport

    assert set(NodeReport.model_fields) == set(schema["$defs"]["node"]["properties"])


@pytest.mark.parametrize(
    "mutate",
    [
        lambda r: r.pop("nodes"),
        lambda r: r.update(status="maybe"),
        lambda r: r["nodes"][0].update(status="running"),
        lambda r: r["nodes"][0].update(rows_out=-1),
        lambda r: r["nodes"][0]["schema_out"].append({"name": "x"}),
        lambda r: r.update(undocumented=True),
    ],
)
def test_schema_rejects_broken_reports(
    report: dict[str, Any], mutate: Callable[[dict[str, Any]], Any]
) -> None:
    validator = jsonschema.Draft202012Validator(report_schema())
    validator.validate(report)
    broken = copy.deepcopy(report)
    mutate(broken)
    assert list(validator.iter_errors(broken))
