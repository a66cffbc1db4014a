"""The files a local read covers: staging and hidden names never, symlinks only inside."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from odibi_core.files.listing import NoFilesMatch, local_read_files
from odibi_core.files.paths import PathOutsideConnection
from odibi_core.files.temp_names import staging_name


def tree(root: Path, names: list[str]) -> None:
    for name in names:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(name)


def names(root: Path, relative: str, **kw: bool) -> list[str]:
    files = local_read_files(
        root,
        relative,
        connection="c",
        shown=relative,
        allow_outside_symlinks=kw.get("allow", False),
    )
    return [str(f.relative_to(root)) for f in files]


def test_globs_and_folders_skip_staging_and_hidden_names(tmp_path: Path) -> None:
    tree(
        tmp_path,
        [
            "a.csv",
            "b.csv",
            staging_name("a.csv"),
            ".hidden.csv",
            "_SUCCESS",
            "out/g=1/data_0.parquet",
            "out/_g=2/data_0.parquet",
            "out/.x.crc",
            "out/_SUCCESS",
            f"out/g=3/{staging_name('data_0.parquet')}",
        ],
    )
    staged = tmp_path / staging_name("out")
    staged.mkdir()
    (staged / "data_0.parquet").write_text("x")
    assert names(tmp_path, "*.csv") == ["a.csv", "b.csv"]
    assert names(tmp_path, "*") == [
        "a.csv",
        "b.csv",
        "out/_g=2/data_0.parquet",
        "out/g=1/data_0.parquet",
    ]
    with pytest.raises(NoFilesMatch):  # hidden names are never matched, even by a pattern asking
        names(tmp_path, ".*")
    assert names(tmp_path, "out") == ["out/_g=2/data_0.parquet", "out/g=1/data_0.parquet"]
    assert names(tmp_path, "out/**/*.parquet") == [
        "out/_g=2/data_0.parquet",
        "out/g=1/data_0.parquet",
    ]
    assert names(tmp_path, "a.csv") == ["a.csv"]
    assert names(tmp_path, "missing.csv") == ["missing.csv"]  # the engine reports it missing


def test_an_empty_match_is_an_error_even_if_staging_files_match(tmp_path: Path) -> None:
    tree(tmp_path, [staging_name("a.csv"), "empty/_SUCCESS"])
    with pytest.raises(NoFilesMatch, match="no file matches c:"):
        names(tmp_path, "*.csv")
    with pytest.raises(NoFilesMatch, match="holds no data files"):
        names(tmp_path, "empty")


def test_symlinks_leading_outside_are_refused_unless_allowed(tmp_path: Path) -> None:
    root, outside = tmp_path / "root", tmp_path / "outside"
    tree(outside, ["secret.csv"])
    tree(root, ["in.csv"])
    os.symlink(outside / "secret.csv", root / "link.csv")
    with pytest.raises(PathOutsideConnection, match="through a symlink"):
        names(root, "*.csv")
    with pytest.raises(PathOutsideConnection):
        names(root, "link.csv")
    assert names(root, "*.csv", allow=True) == ["in.csv", "link.csv"]
    os.symlink(outside, root / "dir")
    with pytest.raises(PathOutsideConnection):
        names(root, "dir")
