"""What every engine promises about files: the part of the engine contract mixed into
:class:`~odibi_core.testing.engine_contract.EngineContract`.

* glob and folder reads never see staging files, hidden names or ``_SUCCESS`` markers;
* a ragged CSV fails with its file and line, unless the read is ``lenient``;
* paths never leave the connection, for reads and writes;
* a write removes the staging files a dead writer of the same target left, never a live one's.

It uses the ``engine``, ``files`` and ``out`` fixtures of ``EngineContract``.
"""

from __future__ import annotations

from typing import Any

import pytest

from odibi_core.connections.local import LocalConnection
from odibi_core.contracts.engine import Engine
from odibi_core.contracts.requests import ReadRequest, WriteRequest
from odibi_core.errors import OdibiError
from odibi_core.files.owners import Owner, current_owner
from odibi_core.files.paths import PathOutsideConnection
from odibi_core.files.temp_names import STAGING_MARKER

RAGGED_CSV = "a,b\n1,2,3,4\n5\n"
"""The issue's example: rows of 2, 4 and 1 fields."""


def dead_staging_name(target: str) -> str:
    """A staging name of ``target`` whose owner is certainly dead (this pid, another start)."""
    me = current_owner()
    return f".{target}{STAGING_MARKER}{Owner(me.host, me.boot, me.pid, me.start + 1).token}-dead00"


def live_staging_name(target: str) -> str:
    """A staging name of ``target`` owned by this (live) process."""
    return f".{target}{STAGING_MARKER}{current_owner().token}-live00"


class FileSafetyContract:
    """Tests every engine passes (see the module docstring)."""

    @staticmethod
    def _materialise(engine: Engine, frame: Any) -> list[dict[str, Any]]:
        return engine.to_arrow(frame).read_all().to_pylist()

    def test_glob_and_folder_reads_never_see_staging_or_hidden_files(
        self, engine: Engine, files: LocalConnection
    ) -> None:
        parts = files.root / "parts"
        (parts / dead_staging_name("part0.parquet")).write_bytes(b"not parquet at all")
        (parts / live_staging_name("part1.parquet")).write_bytes(b"half written")
        (parts / "_SUCCESS").write_bytes(b"")
        (parts / ".hidden.parquet").write_bytes(b"not parquet either")
        for path in ("parts/*.parquet", "parts/*", "parts"):
            frame = engine.read(files, ReadRequest(format="parquet", path=path))
            assert sorted(r["order_id"] for r in self._materialise(engine, frame)) == [
                1,
                2,
                3,
                4,
            ], path

    def test_a_ragged_csv_fails_naming_file_and_line(
        self, engine: Engine, files: LocalConnection
    ) -> None:
        (files.root / "ragged.csv").write_text(RAGGED_CSV)
        with pytest.raises(OdibiError) as info:
            self._materialise(
                engine, engine.read(files, ReadRequest(format="csv", path="ragged.csv"))
            )
        assert "ragged.csv" in info.value.message, info.value.message
        assert "line 2" in info.value.message, info.value.message

    def test_a_ragged_csv_is_read_when_the_read_is_lenient(
        self, engine: Engine, files: LocalConnection
    ) -> None:
        (files.root / "ragged.csv").write_text(RAGGED_CSV)
        frame = engine.read(
            files, ReadRequest(format="csv", path="ragged.csv", options={"lenient": True})
        )
        rows = self._materialise(engine, frame)
        assert [(r["a"], r["b"]) for r in rows] == [(1, 2), (5, None)]

    @pytest.mark.parametrize("path", ["../in/orders.csv", "/etc/passwd", "file:///etc/passwd"])
    def test_reads_outside_the_connection_are_refused(
        self, engine: Engine, out: LocalConnection, path: str
    ) -> None:
        with pytest.raises(PathOutsideConnection):
            engine.read(out, ReadRequest(format="csv", path=path))

    @pytest.mark.parametrize("path", ["../escaped.csv", "/srv/escaped.csv", ".", ""])
    def test_writes_outside_the_connection_or_to_its_root_are_refused(
        self, engine: Engine, files: LocalConnection, out: LocalConnection, path: str
    ) -> None:
        frame = engine.read(files, ReadRequest(format="parquet", path="orders.parquet"))
        before = sorted(p.name for p in out.root.parent.iterdir())
        with pytest.raises(PathOutsideConnection):
            engine.write(frame, out, WriteRequest(format="csv", path=path))
        assert sorted(p.name for p in out.root.parent.iterdir()) == before
        assert list(out.root.iterdir()) == []

    def test_a_write_removes_a_dead_writers_staging_and_keeps_a_live_ones(
        self, engine: Engine, files: LocalConnection, out: LocalConnection
    ) -> None:
        dead, live = dead_staging_name("keep.csv"), live_staging_name("keep.csv")
        (out.root / dead).write_text("killed mid-write")
        (out.root / live).mkdir()
        (out.root / live / "part").write_text("still being written")
        frame = engine.read(files, ReadRequest(format="parquet", path="orders.parquet"))
        engine.write(frame, out, WriteRequest(format="csv", path="keep.csv"))
        assert sorted(p.name for p in out.root.iterdir()) == sorted(["keep.csv", live])
        assert (out.root / live / "part").read_text() == "still being written"
