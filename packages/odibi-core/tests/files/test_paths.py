"""Lexical path rules and symlink containment of file connections."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from odibi_core.errors import ConfigError, ExitCode
from odibi_core.files.paths import (
    PathOutsideConnection,
    ensure_inside,
    escapes_project,
    is_inside,
    relative_path,
    static_prefix,
)


@pytest.mark.parametrize(
    ("path", "normal"),
    [
        ("a.csv", "a.csv"),
        ("dir/a.csv", "dir/a.csv"),
        ("dir/../a.csv", "a.csv"),
        ("./a.csv", "a.csv"),
        ("a//b/", "a/b"),
        ("", ""),
        (".", ""),
        ("*.csv", "*.csv"),
        ("café/ünï.csv", "café/ünï.csv"),
        ("ab:c.csv", "ab:c.csv"),
        ("~/x", "~/x"),
    ],
)
def test_relative_paths_are_normalised(path: str, normal: str) -> None:
    assert relative_path(path, connection="c") == normal


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("../x.csv", "climbs out"),
        ("a/../../x", "climbs out"),
        ("..", "climbs out"),
        ("/etc/passwd", "absolute"),
        ("//server/share", "absolute"),
        ("file:///etc/passwd", "URI"),
        ("s3a://bucket/x", "URI"),
        ("C:", "drive"),
        ("c:/windows", "drive"),
        ("a\\b.csv", "backslash"),
        ("..\\..\\x", "backslash"),
        ("a\x00b", "NUL"),
        ("\ud800.csv", "Unicode"),
        ("x" * 256, "longer than"),
    ],
)
def test_paths_leaving_the_root_are_config_errors(path: str, reason: str) -> None:
    with pytest.raises(PathOutsideConnection, match=reason) as info:
        relative_path(path, connection="lake")
    assert isinstance(info.value, ConfigError)
    assert info.value.exit_code == ExitCode.CONFIG_INVALID
    assert "connection 'lake'" in info.value.message


@pytest.mark.parametrize("path", ["", ".", "./", "a/..", "*.parquet", "out/*"])
def test_a_write_may_not_target_the_root_or_a_glob(path: str) -> None:
    relative_path(path, connection="c")  # fine to read
    with pytest.raises(PathOutsideConnection, match=r"base folder itself|is a glob"):
        relative_path(path, connection="c", write=True)


def test_static_prefix_stops_at_the_first_glob() -> None:
    assert static_prefix("a/b/*.csv") == "a/b"
    assert static_prefix("a/*/c.csv") == "a"
    assert static_prefix("a/b.csv") == "a/b.csv"
    assert static_prefix("") == ""


def test_symlinks_leading_outside_the_root_are_refused(tmp_path: Path) -> None:
    root, outside = tmp_path / "root", tmp_path / "outside"
    root.mkdir()
    outside.mkdir()
    (outside / "secret.txt").write_text("x")
    os.symlink(outside, root / "away")
    os.symlink(outside / "secret.txt", root / "file.txt")
    os.symlink(root / "inner", root / "inner_link")
    assert not is_inside(root, root / "away" / "secret.txt")
    assert not is_inside(root, root / "file.txt")
    assert not is_inside(root, root / "away" / "not-yet" / "x.csv")
    assert is_inside(root, root / "inner_link" / "x.csv")
    assert is_inside(root, root / "new" / "x.csv")
    with pytest.raises(PathOutsideConnection, match="through a symlink") as info:
        ensure_inside(root, root / "file.txt", connection="c", shown="file.txt")
    assert "allow_outside_symlinks" in info.value.hint


def test_a_root_that_is_itself_a_symlink_contains_its_own_files(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    os.symlink(tmp_path / "real", tmp_path / "link")
    assert is_inside(tmp_path / "link", tmp_path / "link" / "x.csv")


@pytest.mark.parametrize(
    ("value", "escapes"),
    [
        (".odibi/reports", False),
        ("reports/../r", False),
        ("/var/odibi", False),
        ("~/odibi", False),
        ("../reports", True),
        ("a/../../r", True),
        ("..", True),
        ("..\\x", True),
    ],
)
def test_only_relative_paths_climbing_out_escape_the_project(value: str, escapes: bool) -> None:
    assert escapes_project(value) is escapes
