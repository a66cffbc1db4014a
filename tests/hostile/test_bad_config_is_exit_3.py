"""Promise: every mistake in a project file is an ``error:`` line naming file and line, exit 3.

Never an internal error (exit 70), never a traceback, never a hang: wrong encodings, YAML tags,
alias bombs, huge files, duplicate names, impossible option values and original-Odibi
expressions all stop ``odibi`` before anything runs. Real ``odibi`` processes; a generated batch
of hostile files at the end (the in-process property test tries many more).
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from odibi_core.errors import ExitCode
from odibi_core.testing.cli import run_odibi
from odibi_core.testing.hostile_yaml import hostile_project_files

PROJECT = """\
project: hostile
connections:
  raw: {type: local, base_path: ./data}
  out: {type: local, base_path: ./out}
pipelines:
  - pipeline: copy
    nodes:
      - name: rows
        read: {connection: raw, path: rows.csv}
        write: {connection: out, path: rows.parquet}
"""
ERROR_LINE = re.compile(r"^error: (?P<file>\S+?):(?P<line>\d+): ", re.MULTILINE)
BOMB = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{n}: &{n} [{', '.join(['*' + p] * 9)}]\n" for p, n in zip("abcdefgh", "bcdefghi", strict=True)
)

CASES = {
    "latin-1": (
        "run",
        PROJECT.replace("hostile", "caf\xe9").encode("latin-1"),
        r"odibi.yaml:1: the file is not UTF-8",
    ),
    "utf-16": (
        "validate",
        PROJECT.encode("utf-16"),
        r"odibi.yaml:1: the file is encoded as UTF-16",
    ),
    "python-tag": (
        "run",
        (PROJECT + "description: !!python/name:os.system ''\n").encode(),
        r"odibi.yaml:11: YAML tag !!python/name:os.system is not allowed",
    ),
    "mapping-tag": (
        "validate",
        PROJECT.replace("raw: {type", "raw: !!map {type").encode(),
        r"odibi.yaml:3: YAML tag !!map is not allowed",
    ),
    "memory-limit": (
        "run",
        (PROJECT + "engine_options: {memory_limit: plenty}\n").encode(),
        r"odibi.yaml:11: engine_options.memory_limit: memory_limit 'plenty' is not a size",
    ),
    "duplicate-pipeline": (
        "run",
        (PROJECT + PROJECT.split("pipelines:\n", 1)[1]).encode(),
        r"odibi.yaml:11: pipelines\[1\].pipeline: pipeline 'copy' is also defined at "
        r"\S*odibi.yaml:6",
    ),
    "original-odibi-date": (
        "run",
        (PROJECT + "description: rows since ${date:-7d}\n").encode(),
        r"odibi.yaml:11: description: \$\{date:-7d\} is an original-Odibi expression",
    ),
    "alias-bomb": (
        "validate",
        (BOMB + PROJECT).encode(),
        r"odibi.yaml:\d+: aliases here expand to more than",
    ),
    "step-kinds": (
        "validate",
        PROJECT.replace(
            "        write:",
            "        transform: {steps: [{sql: SELECT 1, function: f}]}\n        write:",
        ).encode(),
        r"odibi.yaml:10: pipelines\[0\].nodes\[0\].transform.steps\[0\]: a step has exactly "
        r"one of sql:, function:",
    ),
}


def _folder(tmp_path: Path, raw: bytes) -> Path:
    (tmp_path / "data").mkdir(exist_ok=True)
    (tmp_path / "data" / "rows.csv").write_text("id\n1\n")
    (tmp_path / "odibi.yaml").write_bytes(raw)
    return tmp_path


def assert_config_error(proc, file_name: str = "odibi.yaml") -> list[str]:
    """Exit 3 or 4, no traceback, every error line starting with ``file:line:``; the lines."""
    assert proc.returncode in (ExitCode.CONFIG_INVALID, ExitCode.PLUGIN_ERROR), proc.stderr
    assert "Traceback" not in proc.stderr
    assert "internal error" not in proc.stderr
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error: ")]
    assert errors, proc.stderr
    for line in errors:
        match = ERROR_LINE.match(line)
        assert match, line
        assert match.group("file").endswith(file_name), line
    return errors


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_bad_project_file_is_one_located_error_line_and_exit_3(tmp_path: Path, case: str) -> None:
    command, raw, expected = CASES[case]
    folder = _folder(tmp_path, raw)
    proc = run_odibi([command, str(folder / "odibi.yaml")], cwd=folder, timeout=120)
    assert proc.returncode == ExitCode.CONFIG_INVALID, proc.stderr
    errors = assert_config_error(proc)
    assert any(re.search(expected, line) for line in errors), errors
    assert not (folder / "out").exists()  # nothing ran


def test_a_50_mb_project_file_is_refused_at_once(tmp_path: Path) -> None:
    folder = _folder(tmp_path, b"")
    with (folder / "odibi.yaml").open("wb") as f:
        f.write(PROJECT.encode())
        f.truncate(50 * 1024 * 1024)
    start = time.monotonic()
    proc = run_odibi(["validate", str(folder / "odibi.yaml")], cwd=folder, timeout=120)
    elapsed = time.monotonic() - start
    (line,) = assert_config_error(proc)
    assert "odibi.yaml:1: the file is 52,428,800 bytes, more than the 4,194,304" in line
    assert "ODIBI_YAML_MAX_BYTES" in proc.stderr
    assert elapsed < 30  # the interpreter's start dominates; parsing 50 MB would take minutes


@settings(
    max_examples=3,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(raw=hostile_project_files())
def test_generated_hostile_files_through_the_real_command(tmp_path_factory, raw: bytes) -> None:
    folder = _folder(tmp_path_factory.mktemp("generated"), raw)
    proc = run_odibi(["validate", str(folder / "odibi.yaml")], cwd=folder, timeout=120)
    if proc.returncode == ExitCode.OK:
        assert "error:" not in proc.stderr
    else:
        assert_config_error(proc)
