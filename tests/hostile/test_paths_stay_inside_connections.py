"""Promise: a connection's paths stay under its base folder; ``..``, absolute paths, URIs and
symlinks leading elsewhere are config errors naming file and line, and are checked again when a
run reads or writes (item 3 of the hostile review). Reports and state leave the project folder
only through an absolute path written on purpose.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from .conftest import odibi

PROJECT = """\
project: contained
connections:
  raw: {type: local, base_path: ./data}
  lake: {type: local, base_path: ./lake}
reports: {enabled: false}
pipelines:
  - pipeline: p
    nodes:
      - name: copy
        read: {connection: raw, path: "READ", format: csv}
        write: {connection: lake, path: "WRITE", format: csv}
"""


def make(
    project: Callable[..., Path], read: str = "in.csv", write: str = "out.csv", extra: str = ""
) -> Path:
    return project(
        PROJECT.replace("READ", read).replace("WRITE", write) + extra, {"data/in.csv": "a\n1\n"}
    )


@pytest.mark.parametrize(
    ("read", "write", "where", "reason"),
    [
        (
            "../../../../../../etc/passwd",
            "out.csv",
            "odibi.yaml:10: pipelines[0].nodes[0].read.path",
            "climbs out",
        ),
        ("/etc/passwd", "out.csv", "odibi.yaml:10: pipelines[0].nodes[0].read.path", "is absolute"),
        (
            "in.csv",
            "../data/in.csv",
            "odibi.yaml:11: pipelines[0].nodes[0].write.path",
            "climbs out",
        ),
        (
            "file:///etc/passwd",
            "out.csv",
            "odibi.yaml:10: pipelines[0].nodes[0].read.path",
            "is a URI",
        ),
    ],
)
def test_paths_leaving_their_connection_are_config_errors(
    project: Callable[..., Path], read: str, write: str, where: str, reason: str
) -> None:
    root = make(project, read, write)
    for command in ("validate", "run"):
        result = odibi(command, cwd=root)
        assert result.returncode == 3, result.stderr
        assert result.stderr.startswith(f"error: {where}: path "), result.stderr
        assert reason in result.stderr
    assert not (root / "lake").exists()
    assert (root / "data" / "in.csv").read_text() == "a\n1\n"


def test_a_symlink_out_of_the_base_folder_is_refused_unless_the_connection_opts_in(
    project: Callable[..., Path], tmp_path: Path
) -> None:
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "secret.csv").write_text("a\n42\n")
    root = make(project, "secret.csv")
    os.symlink(tmp_path / "outside" / "secret.csv", root / "data" / "secret.csv")
    result = odibi("validate", cwd=root)
    assert result.returncode == 3
    assert (
        "odibi.yaml:10: pipelines[0].nodes[0].read.path: path 'secret.csv' of connection 'raw' "
        "leads outside its base folder through a symlink" in result.stderr
    )
    assert "allow_outside_symlinks" in result.stderr
    text = (root / "odibi.yaml").read_text()
    (root / "odibi.yaml").write_text(
        text.replace("base_path: ./data}", "base_path: ./data, allow_outside_symlinks: true}")
    )
    assert odibi("run", cwd=root).returncode == 0
    assert (root / "lake" / "out.csv").read_text() == "a\n42\n"


def test_a_symlink_created_during_a_run_is_caught_when_the_path_is_used(
    project: Callable[..., Path], tmp_path: Path
) -> None:
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "secret.csv").write_text("a\n42\n")
    extra = """\
      - name: plant
        depends_on: [copy]
        transform: {steps: [{function: plant_symlink}]}
      - name: late
        depends_on: [plant]
        read: {connection: raw, path: late.csv}
        write: {connection: lake, path: late.csv}
"""
    root = make(project, extra=extra)
    (root / "transforms.py").write_text(
        "import os\nfrom odibi_core import transform\n\n@transform\ndef plant_symlink(frame):\n"
        f"    os.symlink({str(tmp_path / 'outside' / 'secret.csv')!r}, 'data/late.csv')\n"
        "    return frame\n"
    )
    result = odibi("run", cwd=root)
    assert result.returncode == 1, result.stderr
    assert (
        "path 'late.csv' of connection 'raw' leads outside its base folder through a symlink"
        in result.stdout + result.stderr
    )
    assert not (root / "lake" / "late.csv").exists()


@pytest.mark.parametrize("section", ["reports", "state"])
def test_reports_and_state_leave_the_project_only_by_an_absolute_path(
    project: Callable[..., Path], tmp_path: Path, section: str
) -> None:
    root = make(project, extra=f"{section}: {{path: ../elsewhere/{section}}}\n")
    text = (root / "odibi.yaml").read_text()
    if section == "reports":
        text = text.replace("reports: {enabled: false}\n", "")
    (root / "odibi.yaml").write_text(text)
    result = odibi("validate", cwd=root)
    assert result.returncode == 3
    line = 1 + text.splitlines().index(f"{section}: {{path: ../elsewhere/{section}}}")
    assert (
        f"odibi.yaml:{line}: {section}.path: a relative path must stay inside the project folder"
        in result.stderr
    )
    chosen = tmp_path / "elsewhere" / (section if section == "reports" else "state.json")
    (root / "odibi.yaml").write_text(text.replace(f"../elsewhere/{section}", str(chosen)))
    assert odibi("run", cwd=root).returncode == 0
    assert chosen.exists()
