"""`odibi run` leaves a report; `odibi story list | show | open` read it (CLI as a subprocess)."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Callable
from pathlib import Path

import jsonschema
from odibi_core.reports.model import report_schema
from odibi_core.testing.cli import run_odibi


def _run(root: Path, env: dict[str, str]) -> str:
    proc = run_odibi(["run", str(root)], extra_env=env)
    assert proc.returncode == 1, proc.stderr  # a node failed
    assert "run report: " in proc.stderr
    [report] = (root / ".odibi/reports/nightly").glob("*.json")
    assert f"  report: {report.with_suffix('.html').resolve()}" in proc.stdout.splitlines()
    return report.stem


def _without_secret() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k != "STORY_API_TOKEN"}


def test_story_list_shows_the_run_even_without_the_projects_secrets(
        story_project: Callable[[], Path], secret_env: dict[str, str]) -> None:
    root = story_project()
    run_id = _run(root, secret_env)
    proc = run_odibi(["story", "list", str(root)], env=_without_secret())
    assert proc.returncode == 0, proc.stderr
    assert run_id in proc.stdout
    assert "failed" in proc.stdout
    assert "broken" in proc.stdout
    proc = run_odibi(["story", "list", str(root), "--json"], env=_without_secret())
    [row] = json.loads(proc.stdout)
    assert row["run_id"] == run_id
    assert row["status"] == "failed"
    assert row["failed_nodes"] == ["broken"]
    assert row["nodes"] == 6
    assert Path(row["html"]).exists()


def test_story_show_summarises_nodes_errors_and_schema_changes(
        story_project: Callable[[], Path], secret_env: dict[str, str], secret_value: str) -> None:
    root = story_project()
    run_id = _run(root, secret_env)
    proc = run_odibi(["story", "show", run_id[:20], str(root)], env=_without_secret())
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert f"pipeline nightly run {run_id}: failed" in out
    for name, status in (("orders", "success"), ("broken", "failed"), ("after_broken", "skipped")):
        assert any(line.split()[:2] == [name, status] for line in out.splitlines()), name
    assert "missing_column" in out
    assert "skipped: upstream node broken did not succeed" in out
    assert "columns added: revenue" in out
    html = root.resolve() / ".odibi/reports/nightly" / f"{run_id}.html"
    assert f"html: {html}" in out.replace(str(root), str(root.resolve()))
    assert secret_value not in out


def test_story_show_json_is_the_report(story_project: Callable[[], Path], secret_env: dict[str, str]) -> None:
    root = story_project()
    _run(root, secret_env)
    proc = run_odibi(["story", "show", "latest", str(root), "--json"])
    assert proc.returncode == 0, proc.stderr
    jsonschema.Draft202012Validator(report_schema()).validate(json.loads(proc.stdout))


def test_story_open_hands_the_page_to_the_browser(story_project: Callable[[], Path], secret_env: dict[str, str],
                                                  tmp_path: Path) -> None:
    root = story_project()
    run_id = _run(root, secret_env)
    opened = tmp_path / "opened.txt"
    browser = tmp_path / "browser.sh"
    browser.write_text(f'#!/bin/sh\necho "$1" > {opened}\n')
    browser.chmod(browser.stat().st_mode | stat.S_IXUSR)
    proc = run_odibi(["story", "open", "latest", str(root)], extra_env={"BROWSER": str(browser)})
    assert proc.returncode == 0, proc.stderr
    html = (root / ".odibi/reports/nightly" / f"{run_id}.html").resolve()
    assert opened.read_text().strip() == html.as_uri()
    assert f"opened {html}" in proc.stdout


def test_story_open_prints_the_path_when_there_is_no_browser(
        story_project: Callable[[], Path], secret_env: dict[str, str]) -> None:
    root = story_project()
    run_id = _run(root, secret_env)
    env = {k: v for k, v in os.environ.items() if k not in ("BROWSER", "DISPLAY", "WAYLAND_DISPLAY", "TERM")}
    proc = run_odibi(["story", "open", run_id, str(root)], env=env)
    assert proc.returncode == 0, proc.stderr
    html = (root / ".odibi/reports/nightly" / f"{run_id}.html").resolve()
    assert proc.stdout.strip() == f"no web browser found; the report is at {html}"


def test_unknown_run_id_and_empty_folder_are_usage_errors(story_project: Callable[[], Path],
                                                          secret_env: dict[str, str]) -> None:
    root = story_project()
    proc = run_odibi(["story", "show", "latest", str(root)])
    assert proc.returncode == 2
    assert "no run reports in" in proc.stderr
    proc = run_odibi(["story", "list", str(root)])
    assert proc.returncode == 0
    assert "no run reports in" in proc.stdout
    _run(root, secret_env)
    proc = run_odibi(["story", "show", "19990101", str(root)])
    assert proc.returncode == 2
    assert "no run report '19990101'" in proc.stderr
    assert "odibi story list" in proc.stderr


def test_reports_disabled_leaves_no_report(story_project: Callable[[], Path], secret_env: dict[str, str]) -> None:
    root = story_project()
    (root / "odibi.yaml").write_text((root / "odibi.yaml").read_text() + "reports: {enabled: false}\n")
    proc = run_odibi(["run", str(root)], extra_env=secret_env)
    assert proc.returncode == 1
    assert not (root / ".odibi" / "reports").exists()
    assert "run report" not in proc.stderr
