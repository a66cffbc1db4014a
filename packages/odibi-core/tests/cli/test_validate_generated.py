"""Generated hostile project files through ``odibi validate`` (in process): never an internal error.

Whatever the file holds, ``validate`` exits 0, 3 or 4, prints no traceback, and every ``error:``
line starts with the file and line it is about.
"""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from odibi_core.testing.cli import invoke_odibi
from odibi_core.testing.hostile_yaml import hostile_project_files

ERROR_LINE = re.compile(r"^error: (?P<file>[^\n]+?):(?P<line>\d+): \S")


def check_validate_output(code: int, stderr: str, file_name: str) -> None:
    """The promise for one run of ``odibi validate`` on any file."""
    assert code in (0, 3, 4), stderr
    assert "Traceback" not in stderr
    assert "internal error" not in stderr
    errors = [line for line in stderr.splitlines() if line.startswith("error: ")]
    if code == 0:
        assert not errors, stderr
        return
    assert errors, stderr
    for line in errors:
        match = ERROR_LINE.match(line)
        assert match, line
        assert match.group("file").endswith(file_name), line


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=hostile_project_files())
def test_any_generated_project_file_is_valid_or_an_error_line_with_file_and_line(
    tmp_path_factory, raw: bytes
) -> None:
    folder: Path = tmp_path_factory.mktemp("hostile")
    (folder / "data").mkdir()
    (folder / "data" / "a.csv").write_text("id\n1\n")
    path = folder / "odibi.yaml"
    path.write_bytes(raw)
    result = invoke_odibi(["validate", str(path)])
    check_validate_output(result.exit_code, result.stderr, "odibi.yaml")
