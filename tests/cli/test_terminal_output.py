"""What ``odibi run`` prints where a person meets it: on a terminal the live progress and the
summary (INFO lines only with ``-v``, or in ``logging.file``); in a pipe or CI log the INFO lines
on stderr as well. Real pseudo-terminal and real pipes.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from odibi_core.errors import ExitCode
from odibi_core.testing.cli import run_odibi
from odibi_core.testing.terminal import TerminalSession

REPO = Path(__file__).resolve().parents[2]
SECRET = "Zr5-terminal-sekret-9043"
# not anchored: on a screen a log line may follow the progress bar it interrupted
INFO = re.compile(r"\d\d:\d\d:\d\d INFO ")
WARNING = re.compile(r"\d\d:\d\d:\d\d WARNING ")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """The quickstart with a log file and a secret in its SQL."""
    target = tmp_path / "quickstart"
    shutil.copytree(
        REPO / "examples" / "quickstart",
        target,
        ignore=shutil.ignore_patterns("lake", ".odibi", "__pycache__"),
    )
    path = target / "odibi.yaml"
    text = path.read_text(encoding="utf-8").replace(
        "WHERE o.status <> 'cancelled'",
        "WHERE o.status <> 'cancelled' AND o.status <> '${secret:STATUS_TOKEN}'",
    )
    path.write_text(text + "\nlogging:\n  file: logs/odibi.log\n", encoding="utf-8")
    return path


def _screen(project: Path, *options: str) -> tuple[int, str]:
    with TerminalSession(
        [*options, "run", str(project)], cwd=project.parent, env={"STATUS_TOKEN": SECRET}
    ) as term:
        code = term.wait()
        return code, term.text


def test_a_terminal_shows_progress_and_the_summary_and_the_log_file_gets_the_info_lines(
    project: Path,
) -> None:
    code, screen = _screen(project)
    assert code == ExitCode.OK, screen
    assert "4/4" in screen
    assert "running: " in screen
    assert len(re.findall(r"pipeline daily_sales run \S+: success", screen)) == 1
    assert re.search(r"^  enriched +success +23 rows", screen, re.MULTILINE), screen
    assert screen.count("report: ") == 1, screen
    assert not INFO.search(screen), screen
    logged = (project.parent / "logs" / "odibi.log").read_text(encoding="utf-8")
    assert re.search(
        r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d INFO +\[daily_sales/enriched\] node enriched succeeded",
        logged,
        re.MULTILINE,
    ), logged
    assert SECRET not in screen + logged


def test_verbose_shows_each_info_line_once_on_a_terminal(project: Path) -> None:
    code, screen = _screen(project, "-v")
    assert code == ExitCode.OK, screen
    assert len(re.findall(r"INFO +\[daily_sales/enriched\] node enriched succeeded", screen)) == 1
    assert len(re.findall(r"pipeline daily_sales run \S+: success", screen)) == 1


def test_warnings_and_errors_always_show_on_a_terminal(project: Path) -> None:
    text = project.read_text(encoding="utf-8").replace(
        "row_count: {min: 1}", "row_count: {min: 1000}"
    )
    project.write_text(text, encoding="utf-8")
    code, screen = _screen(project)
    assert code == ExitCode.RUN_FAILED, screen
    assert WARNING.search(screen), screen
    assert "node region_totals skipped" in screen, screen
    assert "node enriched failed: node 'enriched' failed validation" in screen
    assert not INFO.search(screen), screen
    assert SECRET not in screen


def test_a_pipe_gets_the_info_lines_on_stderr_and_the_summary_on_stdout(project: Path) -> None:
    proc = run_odibi(["run", str(project)], extra_env={"STATUS_TOKEN": SECRET})
    assert proc.returncode == ExitCode.OK, proc.stderr
    assert INFO.search(proc.stderr)
    assert "node enriched succeeded" in proc.stderr
    assert not INFO.search(proc.stdout)
    assert re.search(r"^  enriched +success +23 rows", proc.stdout, re.MULTILINE)
    assert "\x1b[" not in proc.stdout + proc.stderr  # no progress drawn into a pipe
    assert SECRET not in proc.stdout + proc.stderr
