"""``odibi --debug`` as a person debugging reads it: the plan, resolved paths, the SQL as run,
timings and plugin decisions, in short lines, redacted; the hook trace only with ``--debug=hooks``;
a traceback without pluggy's frames unless ``--debug=full``. Real subprocess runs of the quickstart.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from odibi_core.errors import ExitCode
from odibi_core.testing.cli import run_odibi

REPO = Path(__file__).resolve().parents[2]
SECRET = "Tq8-debug-sekret-4471"
MAX_LINE = 500


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """The quickstart, its SQL filtering on a secret (so the SQL logged holds a secret)."""
    target = tmp_path / "quickstart"
    shutil.copytree(
        REPO / "examples" / "quickstart",
        target,
        ignore=shutil.ignore_patterns("lake", ".odibi", "__pycache__"),
    )
    path = target / "odibi.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace(
        "WHERE o.status <> 'cancelled'",
        "WHERE o.status <> 'cancelled' AND o.status <> '${secret:STATUS_TOKEN}'",
    )
    path.write_text(text, encoding="utf-8")
    return path


def _debug_run(project: Path, *options: str) -> tuple[int, str]:
    proc = run_odibi([*options, "run", str(project)], extra_env={"STATUS_TOKEN": SECRET})
    return proc.returncode, proc.stdout + proc.stderr


def _longest(text: str) -> int:
    return max(len(line) for line in text.splitlines())


def test_debug_shows_plan_paths_sql_and_timings_in_short_redacted_lines(project: Path) -> None:
    code, out = _debug_run(project, "--debug")
    assert code == ExitCode.OK, out
    assert _longest(out) <= MAX_LINE, max(out.splitlines(), key=len)
    assert SECRET not in out
    assert "plan: layer 1: orders, customers" in out
    assert f"read raw (local) {project.parent / 'data' / 'orders.csv'} (format csv)" in out
    assert (
        f"write lake (local) {project.parent / 'lake' / 'enriched.parquet'} (mode overwrite" in out
    )
    assert "FROM orders o JOIN customers c USING (customer_id)" in out  # the SQL as run ...
    assert "AND o.status <> '[REDACTED]'" in out  # ... with its secret masked
    assert "node enriched: validation took" in out
    assert "node region_totals: write took" in out
    assert "plugin builtin-engines from odibi-core" in out
    assert "loaded: odibi_engines" in out
    assert "[hook]" not in out
    assert "ProjectConfig(" not in out


def test_log_level_debug_shows_the_same_without_the_hook_trace(project: Path) -> None:
    code, out = _debug_run(project, "--log-level", "DEBUG")
    assert code == ExitCode.OK, out
    assert "plan: layer 2: enriched" in out
    assert "USING (customer_id)" in out
    assert "[hook]" not in out
    assert _longest(out) <= MAX_LINE


def test_the_hook_trace_has_its_own_switch_and_short_lines(project: Path) -> None:
    code, out = _debug_run(project, "--debug=hooks")
    assert code == ExitCode.OK, out
    assert "odibi_run_pipeline [hook]" in out
    assert "odibi_run_node [hook]" in out
    assert "context: PipelineRunContext(project=ProjectConfig(" in out  # there, but cut short
    assert _longest(out) <= MAX_LINE
    assert SECRET not in out


def test_a_debug_traceback_hides_pluggy_frames_unless_full(project: Path) -> None:
    text = project.read_text(encoding="utf-8").replace(
        "row_count: {min: 1}", "row_count: {min: 1000}"
    )
    project.write_text(text, encoding="utf-8")
    code, out = _debug_run(project, "--debug")
    assert code == ExitCode.RUN_FAILED, out
    assert "Traceback (most recent call last)" in out
    assert "in execute_node" in out  # the frame that raised is kept
    assert "/pluggy/" not in out
    assert "_multicall" not in out
    assert "hidden: --debug=full shows them]" in out
    assert SECRET not in out
    code, full = _debug_run(project, "--debug=full")
    assert code == ExitCode.RUN_FAILED, full
    assert "/pluggy/" in full
    assert "hidden: --debug=full" not in full
    assert "[hook]" not in full
    assert SECRET not in full


def test_an_unknown_debug_word_is_a_usage_error(project: Path) -> None:
    proc = run_odibi(["--debug=everything", "run", str(project)])
    assert proc.returncode == ExitCode.USAGE_ERROR
    assert "--debug=full" in proc.stderr
