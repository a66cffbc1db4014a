"""Validate-time path checks: every ``path:`` stays in its connection, named by file and line."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from odibi_core.config.loader import load_project
from odibi_core.errors import ConfigError
from odibi_core.files.paths import PathOutsideConnection

PROJECT = """\
project: paths
connections:
  raw: {type: local, base_path: ./data}
  lake: {type: local, base_path: ./lake}
  here: {type: local, base_path: .}
pipelines:
  - pipeline: p
    nodes:
      - name: a
        read: {connection: raw, path: "READ", format: csv}
        write: {connection: lake, path: "WRITE", format: parquet}
"""


def project(write_project, read: str = "in.csv", write: str = "a.parquet", extra: str = "") -> Path:
    return write_project(
        PROJECT.replace("READ", read).replace("WRITE", write) + extra,
        files={"data/in.csv": "x\n1\n"},
    )


@pytest.mark.parametrize(
    ("read", "write", "line", "reason"),
    [
        ("../../etc/passwd", "a.parquet", 10, "climbs out"),
        ("/etc/passwd", "a.parquet", 10, "is absolute"),
        ("in.csv", ".", 11, "base folder itself"),
        ("in.csv", "../../proj", 11, "climbs out"),
        ("in.csv", "out/*.parquet", 11, "is a glob"),
    ],
)
def test_paths_leaving_a_connection_fail_validation_with_file_and_line(
    write_project, read: str, write: str, line: int, reason: str
) -> None:
    with pytest.raises(PathOutsideConnection, match=reason) as info:
        load_project(project(write_project, read, write))
    section = "read" if line == 10 else "write"
    assert f"odibi.yaml:{line}: pipelines[0].nodes[0].{section}.path: path " in info.value.message


def test_a_symlink_leading_out_fails_validation_unless_the_connection_allows_it(
    write_project, tmp_path: Path
) -> None:
    path = project(write_project, "away/secret.csv")
    (tmp_path / "outside").mkdir()
    os.symlink(tmp_path / "outside", tmp_path / "data" / "away")
    with pytest.raises(PathOutsideConnection, match="through a symlink"):
        load_project(path)
    path.write_text(
        path.read_text().replace(
            "base_path: ./data}", "base_path: ./data, allow_outside_symlinks: true}"
        )
    )
    load_project(path)


def test_a_write_target_holding_another_output_is_refused(write_project) -> None:
    extra = """\
      - name: b
        depends_on: [a]
        write: {connection: lake, path: "a.parquet/inner.csv", format: csv}
"""
    with pytest.raises(ConfigError) as info:
        load_project(project(write_project, extra=extra))
    assert (
        "odibi.yaml:11: pipelines[0].nodes[0].write.path: write target lake:a.parquet "
        in info.value.message
    )
    assert "holds the output of node 'b' (lake:a.parquet/inner.csv, " in info.value.message
    assert "odibi.yaml:14)" in info.value.message


@pytest.mark.parametrize("target", [".odibi", ".odibi/reports", "lake"])
def test_a_write_target_holding_reports_state_or_another_connection_root_is_checked(
    write_project, target: str
) -> None:
    extra = f"""\
      - name: b
        depends_on: [a]
        write: {{connection: here, path: "{target}", format: parquet}}
"""
    path = project(write_project, extra=extra)
    if target == "lake":  # another connection's folder is fine as long as no output sits inside it
        with pytest.raises(ConfigError, match="holds the output of node 'a'"):
            load_project(path)
        return
    with pytest.raises(ConfigError, match="holds the run reports"):
        load_project(path)


def test_reports_and_state_paths_may_leave_the_project_only_when_absolute(
    write_project, tmp_path: Path
) -> None:
    for section in ("reports", "state"):
        path = project(write_project, extra=f"{section}: {{path: ../elsewhere}}\n")
        with pytest.raises(
            ConfigError, match=f"odibi.yaml:12: {section}.path: a relative path must stay inside"
        ):
            load_project(path)
        absolute = tmp_path.parent / f"{tmp_path.name}-{section}"
        project(write_project, extra=f"{section}: {{path: {absolute}}}\n")
        load_project(path)


def test_a_write_needing_a_folder_where_a_file_is_fails_validation_with_file_and_line(
    write_project, tmp_path: Path
) -> None:
    path = project(write_project, write="occupied/a.parquet")
    (tmp_path / "lake").mkdir()
    (tmp_path / "lake" / "occupied").write_text("a file, not a folder")
    with pytest.raises(ConfigError) as info:
        load_project(path)
    assert (
        "odibi.yaml:11: pipelines[0].nodes[0].write.path: path 'occupied/a.parquet' of connection "
        "'lake' needs the folder occupied, which is a file" in info.value.message
    )
