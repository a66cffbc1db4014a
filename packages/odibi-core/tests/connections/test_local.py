"""The ``local`` connection: paths under its root, staging, publication, cleanup."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from odibi_core.connections.local import LocalConnection, LocalOptions
from odibi_core.files.paths import PathOutsideConnection, WriteTargetBlocked
from odibi_core.plugins.types import BuildContext
from odibi_core.testing.engine_contract_files import dead_staging_name, live_staging_name


@pytest.fixture
def lake(tmp_path: Path) -> LocalConnection:
    (tmp_path / "lake").mkdir()
    return LocalConnection("lake", tmp_path / "lake")


def test_build_resolves_base_path_against_the_project_folder(tmp_path: Path) -> None:
    options = LocalOptions(base_path="./lake", allow_outside_symlinks=True)
    connection = LocalConnection.build(
        options, BuildContext(name="lake", project_dir=tmp_path, project_name="p")
    )
    assert connection.root == (tmp_path / "lake").resolve()
    assert connection.allow_outside_symlinks


def test_resolve_keeps_paths_under_the_root(lake: LocalConnection) -> None:
    assert lake.resolve("a/../b.csv") == str(lake.root / "b.csv")
    assert lake.resolve("*.csv") == str(lake.root / "*.csv")
    for bad in ("../x", "/etc/passwd", "a\\..\\..\\x"):
        with pytest.raises(PathOutsideConnection):
            lake.resolve(bad)
    with pytest.raises(PathOutsideConnection, match="base folder itself"):
        lake.check_path(".", write=True)


def test_symlinks_out_are_refused_at_every_entry_point_unless_allowed(
    lake: LocalConnection, tmp_path: Path
) -> None:
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "secret.csv").write_text("x\n1\n")
    os.symlink(tmp_path / "outside", lake.root / "away")
    for call in (
        lambda: lake.resolve("away/secret.csv"),
        lambda: lake.read_paths("away/*.csv"),
        lambda: lake.staging_path("away/new.csv"),
        lambda: lake.exists("away/secret.csv"),
        lambda: lake.check_path("away/x.csv", write=True),
    ):
        with pytest.raises(PathOutsideConnection):
            call()
    allowed = LocalConnection("lake", lake.root, allow_outside_symlinks=True)
    assert allowed.read_paths("away/*.csv") == [str(lake.root / "away" / "secret.csv")]


def test_staging_is_owner_tagged_beside_the_target_and_cleans_dead_writers(
    lake: LocalConnection,
) -> None:
    (lake.root / "sub").mkdir()
    dead, live = dead_staging_name("out.csv"), live_staging_name("out.csv")
    (lake.root / "sub" / dead).write_text("x")
    (lake.root / "sub" / live).write_text("y")
    staging = Path(lake.staging_path("sub/out.csv"))
    assert staging.parent == lake.root / "sub"
    assert staging.name.startswith(".out.csv.odibi-tmp-")
    assert sorted(p.name for p in (lake.root / "sub").iterdir()) == [live]
    staging.write_text("new")
    lake.publish(str(staging), "sub/out.csv")
    assert (lake.root / "sub" / "out.csv").read_text() == "new"


def test_discard_only_ever_removes_staging_names(lake: LocalConnection) -> None:
    (lake.root / "data.csv").write_text("precious")
    lake.discard(str(lake.root / "data.csv"))
    assert (lake.root / "data.csv").exists()
    staging = Path(lake.staging_path("x.csv"))
    staging.write_text("partial")
    lake.discard(str(staging))
    assert not staging.exists()


def test_exists_never_counts_staging_files(lake: LocalConnection) -> None:
    (lake.root / live_staging_name("a.csv")).write_text("x")
    assert not lake.exists("*.csv")
    assert not lake.exists("a.csv")
    (lake.root / "a.csv").write_text("x")
    assert lake.exists("*.csv")
    assert lake.exists("a.csv")


def test_a_write_needing_a_folder_where_a_file_is_fails_clearly(lake: LocalConnection) -> None:
    (lake.root / "out.csv").write_text("x")
    with pytest.raises(WriteTargetBlocked, match=r"needs the folder out\.csv, which is a file"):
        lake.staging_path("out.csv/part.csv")
    lake.check_path("out.csv/part.csv")  # reading it is the engine's business: it is missing
