"""Publishing staged outputs and recovering what killed writers left."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from odibi_core.files.fault_points import NO_EXCHANGE_VARIABLE
from odibi_core.files.owners import Owner, current_owner
from odibi_core.files.publish import exchange, publish_path, recover_target
from odibi_core.files.temp_names import ASIDE_MARKER, STAGING_MARKER, staging_name


def folder(path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (path / name).parent.mkdir(parents=True, exist_ok=True)
        (path / name).write_text(text)
    return path


def contents(path: Path) -> dict[str, str]:
    if path.is_file():
        return {"": path.read_text()}
    return {str(p.relative_to(path)): p.read_text() for p in sorted(path.rglob("*")) if p.is_file()}


def dead_token() -> str:
    me = current_owner()
    return Owner(me.host, me.boot, me.pid, me.start + 1).token


@pytest.fixture(params=["exchange", "two renames"])
def mode(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "two renames":
        monkeypatch.setenv(NO_EXCHANGE_VARIABLE, "1")
    return str(request.param)


def test_exchange_swaps_two_names_atomically(tmp_path: Path) -> None:
    a = folder(tmp_path / "a", {"x": "1"})
    (tmp_path / "b").write_text("2")
    assert exchange(a, tmp_path / "b")
    assert (tmp_path / "a").read_text() == "2"
    assert contents(tmp_path / "b") == {"x": "1"}


def make(where: Path, spec: dict[str, str]) -> Path:
    """A file (spec ``{"": text}``) or a folder of files at ``where``."""
    if "" in spec:
        where.write_text(spec[""])
        return where
    return folder(where, spec)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (None, {"g=1/p.parquet": "new"}),
        ({"g=1/p": "old", "g=2/p": "old"}, {"g=3/p": "new"}),
        ({"": "old file"}, {"g=1/p": "new"}),
        ({"g=1/p": "old"}, {"": "new file"}),
        ({"": "old"}, {"": "new"}),
    ],
)
def test_publish_replaces_only_the_target_with_the_new_output(
    tmp_path: Path, mode: str, old: dict[str, str] | None, new: dict[str, str]
) -> None:
    target = tmp_path / "out"
    sibling = folder(tmp_path / "sibling", {"keep": "me"})
    if old is not None:
        make(target, old)
    staged = make(tmp_path / staging_name("out"), new)
    publish_path(staged, target)
    assert contents(target) == new
    assert contents(sibling) == {"keep": "me"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "sibling"]


def test_a_failed_second_rename_puts_the_old_output_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(NO_EXCHANGE_VARIABLE, "1")
    target = folder(tmp_path / "out", {"a": "old"})
    with pytest.raises(FileNotFoundError):  # the staging output is not there to rename
        publish_path(tmp_path / ".out.odibi-tmp-missing", target)
    assert contents(target) == {"a": "old"}


def test_recovery_restores_an_aside_when_the_target_is_missing(tmp_path: Path) -> None:
    token = dead_token()
    folder(tmp_path / f".out{ASIDE_MARKER}{token}-aaaaaa", {"a": "old"})
    folder(tmp_path / f".out{STAGING_MARKER}{token}-bbbbbb", {"a": "new"})
    removed = recover_target(tmp_path / "out")
    assert contents(tmp_path / "out") == {"a": "old"}
    assert removed == [f".out{STAGING_MARKER}{token}-bbbbbb"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_recovery_deletes_dead_names_and_keeps_live_ones_and_other_targets(tmp_path: Path) -> None:
    folder(tmp_path / "out", {"a": "new"})
    dead, live = dead_token(), current_owner().token
    for name in (
        f".out{ASIDE_MARKER}{dead}-000001",
        f".out{STAGING_MARKER}{dead}-000002",
        f".out{STAGING_MARKER}{live}-000003",
        f".other{STAGING_MARKER}{dead}-000004",
        ".out.odibi-old-1a2b3c4d",
    ):
        (tmp_path / name).write_text("x")
    removed = recover_target(tmp_path / "out")
    assert sorted(removed) == sorted(
        [
            f".out{ASIDE_MARKER}{dead}-000001",
            f".out{STAGING_MARKER}{dead}-000002",
            ".out.odibi-old-1a2b3c4d",
        ]
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["out", f".out{STAGING_MARKER}{live}-000003", f".other{STAGING_MARKER}{dead}-000004"]
    )
    assert contents(tmp_path / "out") == {"a": "new"}


def test_legacy_staging_is_kept_while_fresh(tmp_path: Path) -> None:
    (tmp_path / ".out.odibi-tmp-1a2b3c4d").write_text("x")
    assert recover_target(tmp_path / "out") == []
    os.utime(tmp_path / ".out.odibi-tmp-1a2b3c4d", (1, 1))
    assert recover_target(tmp_path / "out") == [".out.odibi-tmp-1a2b3c4d"]


def test_recovery_of_a_missing_folder_is_a_no_op(tmp_path: Path) -> None:
    assert recover_target(tmp_path / "missing" / "out") == []


def test_a_symlinked_old_output_is_unlinked_never_followed(tmp_path: Path) -> None:
    elsewhere = folder(tmp_path / "elsewhere", {"a": "precious"})
    os.symlink(elsewhere, tmp_path / "out")
    staged = folder(tmp_path / staging_name("out"), {"a": "new"})
    publish_path(staged, tmp_path / "out")
    assert contents(tmp_path / "out") == {"a": "new"}
    assert not (tmp_path / "out").is_symlink()
    assert contents(elsewhere) == {"a": "precious"}
