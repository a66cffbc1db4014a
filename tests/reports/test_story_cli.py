"""`odibi run` leaves a report; `odibi story list | show | open` read it (CLI as a subprocess)."""

from __future__ import annotations

import json
import os
import re
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
    story_project: Callable[[], Path], secret_env: dict[str, str]
) -> None:
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
    story_project: Callable[[], Path], secret_env: dict[str, str], secret_value: str
) -> None:
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


def test_story_show_json_is_the_report(
    story_project: Callable[[], Path], secret_env: dict[str, str]
) -> None:
    root = story_project()
    _run(root, secret_env)
    proc = run_odibi(["story", "show", "latest", str(root), "--json"])
    assert proc.returncode == 0, proc.stderr
    jsonschema.Draft202012Validator(report_schema()).validate(json.loads(proc.stdout))


def test_story_open_hands_the_page_to_the_browser(
    story_project: Callable[[], Path], secret_env: dict[str, str], tmp_path: Path
) -> None:
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
    story_project: Callable[[], Path], secret_env: dict[str, str]
) -> None:
    root = story_project()
    run_id = _run(root, secret_env)
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("BROWSER", "DISPLAY", "WAYLAND_DISPLAY", "TERM")
    }
    proc = run_odibi(["story", "open", run_id, str(root)], env=env)
    assert proc.returncode == 0, proc.stderr
    html = (root / ".odibi/reports/nightly" / f"{run_id}.html").resolve()
    assert proc.stdout.strip() == (
        f"no display (DISPLAY and WAYLAND_DISPLAY are unset); the report is at {html}"
    )


def test_story_open_never_uses_a_text_browser(
    story_project: Callable[[], Path], secret_env: dict[str, str], tmp_path: Path
) -> None:
    root = story_project()
    run_id = _run(root, secret_env)
    used = tmp_path / "w3m-was-run"
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    w3m = bin_dir / "w3m"  # the only browser on PATH, as on a server with w3m installed
    w3m.write_text(f'#!/bin/sh\ntouch {used}\ncat "$1"\n')
    w3m.chmod(w3m.stat().st_mode | stat.S_IXUSR)
    html = (root / ".odibi/reports/nightly" / f"{run_id}.html").resolve()
    base = {
        k: v for k, v in os.environ.items() if k not in ("BROWSER", "DISPLAY", "WAYLAND_DISPLAY")
    }
    base["PATH"] = str(bin_dir)  # no graphical browser on PATH
    for extra in ({"TERM": "xterm"}, {"TERM": "xterm", "DISPLAY": ":99"}):
        proc = run_odibi(["story", "open", "--project", str(root)], env={**base, **extra})
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout.strip().endswith(f"the report is at {html}"), proc.stdout
        assert "<html" not in proc.stdout.lower()
    assert not used.exists()


def test_story_show_defaults_to_the_latest_run_of_the_project_found_from_a_sub_folder(
    story_project: Callable[[], Path], secret_env: dict[str, str]
) -> None:
    root = story_project()
    _run(root, secret_env)
    second = run_odibi(["run", str(root)], extra_env=secret_env)
    assert second.returncode == 1
    # the run id of the run just made (two runs in one second: ids do not sort by time)
    made = re.search(r"pipeline nightly run (\S+): failed", second.stdout)
    assert made is not None, second.stdout
    latest = made.group(1)
    proc = run_odibi(["story", "show"], cwd=root / "data", env=_without_secret())
    assert proc.returncode == 0, proc.stderr
    assert f"run {latest}: failed" in proc.stdout
    by_option = run_odibi(["story", "show", "--project", str(root)], env=_without_secret())
    assert by_option.returncode == 0, by_option.stderr
    assert by_option.stdout == proc.stdout


def test_story_show_never_takes_a_project_path_for_a_run_id(
    story_project: Callable[[], Path], secret_env: dict[str, str]
) -> None:
    root = story_project()
    _run(root, secret_env)
    for given in (str(root / "odibi.yaml"), str(root)):
        proc = run_odibi(["story", "show", given])
        assert proc.returncode == 2
        assert proc.stderr.startswith(f"error: {given!r} is a project path, not a run id"), (
            proc.stderr
        )
        assert f"odibi story show --project {given}" in proc.stderr
    both = run_odibi(["story", "show", "latest", str(root), "--project", str(root)])
    assert both.returncode == 2
    assert "given twice" in both.stderr


def test_unknown_run_id_and_empty_folder_are_usage_errors(
    story_project: Callable[[], Path], secret_env: dict[str, str]
) -> None:
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


def test_reports_disabled_leaves_no_report(
    story_project: Callable[[], Path], secret_env: dict[str, str]
) -> None:
    root = story_project()
    text = (root / "odibi.yaml").read_text()
    (root / "odibi.yaml").write_text(
        text.replace("reports: {samples: true}", "reports: {enabled: false}")
    )
    proc = run_odibi(["run", str(root)], extra_env=secret_env)
    assert proc.returncode == 1
    assert not (root / ".odibi" / "reports").exists()
    assert "run report" not in proc.stderr
