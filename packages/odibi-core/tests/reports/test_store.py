"""Report files: never overwritten, found by id, prefix or `latest`, pruned by count and by age."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from odibi_core.errors import UsageError
from odibi_core.reports.store import ReportError, ReportStore


def _save(store: ReportStore, run_id: str, pipeline: str = "p") -> None:
    store.save(pipeline, run_id, f'{{"run_id": "{run_id}"}}\n', f"<html>{run_id}</html>")


def test_save_writes_both_files_named_by_run_id(tmp_path: Path) -> None:
    store = ReportStore(tmp_path)
    entry = store.save("p", "20260101T000000Z-aaaa0001", "{}\n", "<html></html>")
    assert entry.json_path == tmp_path / "p" / "20260101T000000Z-aaaa0001.json"
    assert entry.html_path.read_text() == "<html></html>"
    assert [p.name for p in (tmp_path / "p").iterdir()] != []
    assert not [
        p for p in (tmp_path / "p").iterdir() if p.name.startswith(".")
    ]  # no temp file left


def test_a_report_is_never_overwritten(tmp_path: Path) -> None:
    store = ReportStore(tmp_path)
    _save(store, "20260101T000000Z-aaaa0001")
    with pytest.raises(ReportError, match="already exists"):
        store.save("p", "20260101T000000Z-aaaa0001", "{}", "<html>new</html>")
    kept = (tmp_path / "p" / "20260101T000000Z-aaaa0001.json").read_text()
    assert kept == '{"run_id": "20260101T000000Z-aaaa0001"}\n'


def test_find_by_exact_id_prefix_and_latest(tmp_path: Path) -> None:
    store = ReportStore(tmp_path)
    _save(store, "20260101T000000Z-aaaa0001", "a")
    _save(store, "20260102T000000Z-bbbb0002", "b")
    _save(store, "20260102T000000Z-bbbc0003", "a")
    assert store.find("20260101T000000Z-aaaa0001").pipeline == "a"
    assert store.find("20260101").run_id == "20260101T000000Z-aaaa0001"
    assert store.find("latest").run_id == "20260102T000000Z-bbbc0003"
    with pytest.raises(UsageError, match="ambiguous"):
        store.find("20260102T000000Z-bbb")
    with pytest.raises(UsageError, match="no run report"):
        store.find("2030")


def test_find_in_an_empty_folder_says_so(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no run reports in"):
        ReportStore(tmp_path / "none").find("latest")


def test_prune_keeps_the_newest_per_pipeline(tmp_path: Path) -> None:
    store = ReportStore(tmp_path)
    for day in range(1, 6):
        _save(store, f"202601{day:02d}T000000Z-aaaa000{day}", "p")
    _save(store, "20250101T000000Z-other001", "q")
    deleted = store.prune("p", keep_last=2, max_age_days=None)
    assert sorted(e.run_id[:8] for e in deleted) == ["20260101", "20260102", "20260103"]
    assert [e.run_id[:8] for e in store.entries("p")] == ["20260104", "20260105"]
    assert [e.run_id for e in store.entries("q")] == [
        "20250101T000000Z-other001"
    ]  # other pipelines untouched
    assert not list((tmp_path / "p").glob("20260101*"))  # html deleted too


def test_prune_orders_runs_of_the_same_second_by_write_time(tmp_path: Path) -> None:
    store = ReportStore(tmp_path)
    for suffix in ("zzzz", "aaaa", "mmmm"):  # written in this order, ids sort otherwise
        _save(store, f"20260101T000000Z-{suffix}0000")
        time.sleep(0.01)
    store.prune("p", keep_last=1, max_age_days=None)
    assert [e.run_id for e in store.entries("p")] == ["20260101T000000Z-mmmm0000"]


def test_prune_by_age_uses_the_run_start_time(tmp_path: Path) -> None:
    store = ReportStore(tmp_path)
    now = datetime(2026, 3, 1, tzinfo=timezone.utc)
    for days_ago in (40, 31, 29, 1):
        when = now - timedelta(days=days_ago)
        _save(store, when.strftime("%Y%m%dT%H%M%SZ") + f"-age{days_ago:05d}")
    deleted = store.prune("p", keep_last=None, max_age_days=30, now=now)
    assert sorted(e.run_id[-5:] for e in deleted) == ["00031", "00040"]
    assert sorted(e.run_id[-5:] for e in store.entries("p")) == ["00001", "00029"]


def test_prune_falls_back_to_modification_time_for_foreign_names(tmp_path: Path) -> None:
    store = ReportStore(tmp_path)
    _save(store, "handmade")
    old = time.time() - 10 * 86400
    import os

    os.utime(tmp_path / "p" / "handmade.json", (old, old))
    assert [e.run_id for e in store.prune("p", keep_last=None, max_age_days=5)] == ["handmade"]


def test_prune_never_deletes_the_protected_run(tmp_path: Path) -> None:
    store = ReportStore(tmp_path)
    _save(store, "20200101T000000Z-ancient01")
    assert store.prune("p", keep_last=1, max_age_days=1, protect="20200101T000000Z-ancient01") == []
    assert len(store.entries("p")) == 1
