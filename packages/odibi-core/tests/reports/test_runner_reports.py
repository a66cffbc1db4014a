"""Every run leaves a report; every reports: key does what it says; a failed write never fails a
run."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from odibi_core.redaction.registry import variants
from odibi_core.reports.model import report_schema

Runner = Callable[..., list[Any]]


def _reports(project_file: Path, folder: str = ".odibi/reports") -> list[Path]:
    return sorted((project_file.parent / folder).glob("*/*.json"))


def _load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text())


def test_a_failed_run_leaves_json_and_html_named_by_run_id(
    shop: Callable[..., Path], run_shop: Runner
) -> None:
    project = shop()
    [result] = run_shop(project)
    assert result.status == "failed"
    [report] = _reports(project)
    assert report.name == f"{result.run_id}.json"
    assert report.with_suffix(".html").exists()
    assert result.report == str(report.with_suffix(".html").resolve())
    data = _load(report)
    assert data["status"] == "failed"
    assert data["totals"]["failed_nodes"] == ["broken"]
    statuses = {n["name"]: n["status"] for n in data["nodes"]}
    assert statuses == {
        "orders": "success",
        "customers": "success",
        "enriched": "success",
        "broken": "failed",
        "totals": "success",
        "after_broken": "skipped",
    }


def test_report_validates_against_the_published_schema(
    shop: Callable[..., Path], run_shop: Runner
) -> None:
    project = shop(reports={"profile": True})
    run_shop(project)
    data = _load(_reports(project)[0])
    jsonschema.Draft202012Validator(report_schema()).validate(data)


def test_report_holds_no_value_of_a_registered_secret(
    shop: Callable[..., Path], run_shop: Runner, shop_secret: str
) -> None:
    project = shop()
    run_shop(project)
    report = _reports(project)[0]
    for text in (report.read_text(), report.with_suffix(".html").read_text()):
        for form in variants(shop_secret):
            assert form not in text
    data = _load(report)
    enriched = next(n for n in data["nodes"] if n["name"] == "enriched")
    assert "'[REDACTED]'" in enriched["sql"][0]  # the SQL is there, its secret literal is not
    orders = next(n for n in data["nodes"] if n["name"] == "orders")
    assert orders["sample"]["rows"][1]["note"] == "[REDACTED]"  # a data value equal to the secret


def test_node_details(shop: Callable[..., Path], run_shop: Runner) -> None:
    project = shop()
    run_shop(project)
    nodes = {n["name"]: n for n in _load(_reports(project)[0])["nodes"]}
    enriched, totals, broken = nodes["enriched"], nodes["totals"], nodes["broken"]
    assert enriched["depends_on"] == ["orders", "customers"]
    assert enriched["rows_out"] == 39
    assert [v["rule"] for v in enriched["validations"]] == ["not_null(region)", "row_count"]
    assert enriched["columns_removed"] == ["note"]
    assert enriched["output"] == "lake:enriched.parquet"
    assert totals["rows_in"] == 39
    assert totals["rows_out"] == 4
    # overwrite: the target holds exactly what was written
    assert (totals["rows_written"], totals["rows_total"]) == (4, 4)
    assert totals["columns_added"] == ["orders", "revenue"]
    assert totals["sample"]["rows"][0].keys() == {
        "region",
        "orders",
        "revenue",
    }  # read back from its file
    assert broken["error"]["type"] == "EngineError"
    assert "no_such_column" in broken["error"]["message"]
    assert nodes["after_broken"]["skipped_reason"] == "upstream node broken did not succeed"


def test_sensitive_node_has_no_sample_and_masked_columns_are_masked(
    shop: Callable[..., Path], run_shop: Runner
) -> None:
    project = shop()
    run_shop(project)
    report = _reports(project)[0]
    nodes = {n["name"]: n for n in _load(report)["nodes"]}
    assert nodes["customers"]["sample"] is None
    assert nodes["customers"]["sample_note"] == "withheld: the node is marked sensitive"
    assert nodes["customers"]["sensitive"] is True
    assert nodes["enriched"]["sample"]["masked_columns"] == ["email"]
    assert {row["email"] for row in nodes["enriched"]["sample"]["rows"]} == {"[REDACTED]"}
    for text in (report.read_text(), report.with_suffix(".html").read_text()):
        assert "@example.com" not in text


def test_enabled_false_writes_nothing_and_takes_no_sample(
    shop: Callable[..., Path], run_shop: Runner
) -> None:
    project = shop(reports={"enabled": False})
    [result] = run_shop(project)
    assert result.report is None
    assert not (project.parent / ".odibi" / "reports").exists()
    assert all(r.sample is None and r.sample_note is None for r in result.nodes.values())


def test_path_puts_reports_in_another_folder(
    shop: Callable[..., Path], run_shop: Runner, tmp_path: Path
) -> None:
    project = shop(reports={"path": "out/stories"})
    run_shop(project)
    assert len(_reports(project, "out/stories")) == 1
    absolute = tmp_path / "elsewhere"
    project = shop(reports={"path": str(absolute)})
    run_shop(project)
    assert len(list(absolute.glob("daily/*.html"))) == 1


def test_samples_false_and_sample_rows(shop: Callable[..., Path], run_shop: Runner) -> None:
    project = shop(reports={"samples": False})
    run_shop(project)
    data = _load(_reports(project)[0])
    assert data["settings"]["samples"] is False
    assert all(n["sample"] is None for n in data["nodes"])
    project = shop(reports={"sample_rows": 2})
    run_shop(project)
    orders = next(n for n in _load(_reports(project)[0])["nodes"] if n["name"] == "orders")
    assert len(orders["sample"]["rows"]) == 2


def test_profile_is_off_by_default_and_counts_when_on(
    shop: Callable[..., Path], run_shop: Runner
) -> None:
    project = shop()
    run_shop(project)
    assert all(n["profile"] is None for n in _load(_reports(project)[0])["nodes"])
    project = shop(reports={"profile": True})
    run_shop(project)
    nodes = {n["name"]: n for n in _load(_reports(project)[0])["nodes"]}
    orders = nodes["orders"]
    assert orders["profile"]["rows"] == 40
    assert orders["rows_out"] == 40  # counted by the profile, not by a separate pass
    note = next(c for c in orders["profile"]["columns"] if c["name"] == "note")
    assert note == {"name": "note", "type": "string", "nulls": 0, "null_ratio": 0.0, "distinct": 40}


def test_keep_last_prunes_old_reports(shop: Callable[..., Path], run_shop: Runner) -> None:
    project = shop(reports={"keep_last": 2}, failing=False)
    run_ids = [run_shop(project)[0].run_id for _ in range(4)]
    assert {p.stem for p in _reports(project)} == set(run_ids[2:])
    assert len(list((project.parent / ".odibi/reports/daily").glob("*.html"))) == 2


def test_max_age_days_prunes_old_reports(shop: Callable[..., Path], run_shop: Runner) -> None:
    project = shop(reports={"max_age_days": 10}, failing=False)
    folder = project.parent / ".odibi/reports/daily"
    folder.mkdir(parents=True)
    now = datetime.now(timezone.utc)
    for days, name in ((30, "old"), (3, "recent")):
        stem = (now - timedelta(days=days)).strftime("%Y%m%dT%H%M%SZ") + f"-{name}"
        (folder / f"{stem}.json").write_text("{}")
        (folder / f"{stem}.html").write_text("<html></html>")
    [result] = run_shop(project)
    assert sorted(p.stem.split("-")[-1] for p in folder.glob("*.json")) == sorted(
        ["recent", result.run_id[-8:]]
    )
    assert not list(folder.glob("*old.html"))


def test_a_report_that_cannot_be_written_costs_one_warning_not_the_run(
    shop: Callable[..., Path], run_shop: Runner, caplog: pytest.LogCaptureFixture
) -> None:
    project = shop(reports={"path": "blocked"}, failing=False)
    (project.parent / "blocked").write_text("a file where the folder should be")
    with caplog.at_level(logging.WARNING, logger="odibi"):
        [result] = run_shop(project)
    assert result.status == "success"
    assert (project.parent / "lake" / "totals.parquet").exists()
    warnings = [r for r in caplog.records if r.name == "odibi.reports"]
    assert len(warnings) == 1
    assert warnings[0].levelno == logging.WARNING
    assert f"run report of {result.run_id} not written" in warnings[0].getMessage()
    assert "\n" not in warnings[0].getMessage()
    assert warnings[0].exc_info is None


def test_every_run_of_several_pipelines_gets_its_own_report(
    shop: Callable[..., Path], run_shop: Runner
) -> None:
    project = shop(failing=False)
    text = project.read_text() + (
        "  - pipeline: second\n    nodes:\n      - {name: only, read: {connection: raw, "
        "path: orders.csv}}\n"
    )
    project.write_text(text)
    results = run_shop(project)
    assert len({r.run_id for r in results}) == 2
    assert {p.parent.name for p in _reports(project)} == {"daily", "second"}
