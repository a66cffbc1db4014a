"""The contract of file connections: paths under a root, read and written by an engine.

See :mod:`odibi_core.testing.connection_contract` for how to subclass
:class:`FileConnectionContractTests` and the threading rule it tests.
"""

from __future__ import annotations

import contextlib
import os
import posixpath
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from odibi_core.contracts.connection import FileConnection
from odibi_core.contracts.requests import ReadRequest, WriteRequest
from odibi_core.errors import OdibiError
from odibi_core.testing.connection_contract_common import ConnectionCommonTests
from odibi_core.testing.connection_contract_hooks import (
    ALL_WRITE_MODES,
    FILE_CAPABILITIES,
    same_rows,
    sample_table,
    typed_table,
)

if TYPE_CHECKING:
    import pyarrow as pa

    from odibi_core.contracts.engine import Engine

PATH_PARTS = (
    "..",
    ".",
    "",
    "a",
    "b c",
    "é",
    "日本",
    "'",
    '"',
    "\\",
    "~",
    "%2e%2e",
    "$HOME",
    "*",
    "?",
    "\x00",
    "C:",
    "file:",
    "x" * 300,
    ".odibi-tmp-x",
)
"""Pieces of the generated hostile paths (traversal, quotes, unicode, globs, drives, NUL...)."""

ODD_NAME = "we ird/o'k é 日本 (1).parquet"
"""A legal path with spaces, a quote, unicode and parentheses: written and read back literally."""


def split_location(location: str) -> tuple[str, str]:
    """``(scheme://authority, normalised path)`` of a URI or local path."""
    prefix = ""
    if "://" in location:
        scheme, rest = location.split("://", 1)
        authority, _, location = rest.partition("/")
        prefix, location = f"{scheme}://{authority}", "/" + location
    return prefix, posixpath.normpath(location) if location else "/"


def inside(root: str, location: str) -> bool:
    """Whether ``location`` (a URI or path) is ``root`` or below it, after normalisation."""
    root_prefix, root_path = split_location(root)
    prefix, path = split_location(location)
    return prefix == root_prefix and (
        path == root_path or path.startswith(root_path.rstrip("/") + "/")
    )


class FileConnectionContractTests(ConnectionCommonTests):
    """Contract tests for :class:`~odibi_core.contracts.connection.FileConnection` classes."""

    known_capabilities = FILE_CAPABILITIES
    project_read = "{connection: source, format: parquet, path: in/one.parquet}"
    connection_class = FileConnection

    # --- hooks a subclass provides ---------------------------------------------------------

    @pytest.fixture
    def engine(self) -> Iterator[Engine]:
        """The engine that reads and writes through the connection (default: builtin duckdb)."""
        from odibi_core.engines.duckdb_engine import DuckDBEngine

        duck = DuckDBEngine()
        yield duck
        duck.close()

    def put_file(self, connection: FileConnection, path: str, data: bytes) -> None:
        """Store ``data`` at ``path`` bypassing the engine (default: the local file or the
        connection's fsspec filesystem)."""
        location = connection.resolve(path)
        local = location[len("file://") :] if location.startswith("file://") else location
        if "://" not in local:
            os.makedirs(os.path.dirname(local), exist_ok=True)
            with open(local, "wb") as handle:
                handle.write(data)
            return
        with connection.fsspec_filesystem().open(location, "wb") as handle:
            handle.write(data)

    def list_names(self, connection: FileConnection, folder: str) -> list[str]:
        """Every name directly in ``folder``, hidden and staging names included (default: the
        local folder or the connection's fsspec filesystem)."""
        location = connection.resolve(folder)
        local = location[len("file://") :] if location.startswith("file://") else location
        if "://" not in local:
            return sorted(os.listdir(local)) if os.path.isdir(local) else []
        fs = connection.fsspec_filesystem()
        return sorted(posixpath.basename(str(p).rstrip("/")) for p in fs.ls(location, detail=False))

    # --- helpers ---------------------------------------------------------------------------

    def put_table(self, connection: FileConnection, path: str, table: pa.Table) -> None:
        """Store ``table`` as a Parquet file at ``path``."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        sink = pa.BufferOutputStream()
        pq.write_table(table, sink)
        self.put_file(connection, path, sink.getvalue().to_pybytes())

    @staticmethod
    def read(engine: Engine, connection: FileConnection, path: str) -> pa.Table:
        """Every row of the Parquet data at ``path``, read by ``engine``."""
        frame = engine.read(connection, ReadRequest(format="parquet", path=path))
        return engine.to_arrow(frame).read_all()

    @staticmethod
    def write(
        engine: Engine,
        connection: FileConnection,
        path: str,
        table: pa.Table,
        mode: str = "overwrite",
    ) -> Any:
        """Write ``table`` as Parquet at ``path`` through ``engine``."""
        keys = ("id",) if mode in ("upsert", "merge") else ()
        request = WriteRequest(mode=mode, format="parquet", path=path, keys=keys)
        return engine.write(engine.from_arrow(table), connection, request)

    # --- reads -----------------------------------------------------------------------------

    def test_reads_a_file(self, engine: Engine, connection: FileConnection) -> None:
        self.put_table(connection, "in/one.parquet", sample_table())
        with self.honest("path"):
            same_rows(self.read(engine, connection, "in/one.parquet"), sample_table())

    def test_a_glob_reads_its_matches_and_never_staging_or_hidden_files(
        self, engine: Engine, connection: FileConnection
    ) -> None:
        self.put_table(connection, "parts/a.parquet", sample_table(range(1, 4)))
        self.put_table(connection, "parts/b.parquet", sample_table(range(4, 8)))
        self.put_file(connection, "parts/.b.parquet.odibi-tmp-dead-000000", b"half written")
        self.put_file(connection, "parts/.hidden.parquet", b"not parquet")
        self.put_file(connection, "parts/notes.txt", b"not parquet")
        with self.honest("glob"):
            listed = connection.read_paths("parts/*.parquet")  # matches, or the glob itself
            assert all(".odibi-tmp-" not in p and "/.hidden" not in p for p in listed), listed
            same_rows(self.read(engine, connection, "parts/*.parquet"), sample_table(range(1, 8)))

    def test_a_folder_reads_every_data_file_in_it(
        self, engine: Engine, connection: FileConnection
    ) -> None:
        self.put_table(connection, "folder/p1.parquet", sample_table(range(1, 4)))
        self.put_table(connection, "folder/p2.parquet", sample_table(range(4, 6)))
        self.put_file(connection, "folder/.p3.parquet.odibi-tmp-dead-000000", b"half written")
        with self.honest("folder"):
            same_rows(self.read(engine, connection, "folder"), sample_table(range(1, 6)))

    # --- writes ----------------------------------------------------------------------------

    @pytest.mark.parametrize("mode", ALL_WRITE_MODES)
    def test_each_write_mode_does_what_it_says_or_is_refused(
        self, engine: Engine, connection: FileConnection, mode: str
    ) -> None:
        target = f"modes/{mode}.parquet"
        first, second = sample_table(range(1, 6)), sample_table(range(4, 9))
        self.write(engine, connection, target, first)
        if mode not in self.write_modes or mode == "error":
            with pytest.raises(OdibiError):
                self.write(engine, connection, target, second, mode)
            same_rows(self.read(engine, connection, target), first)
            if mode == "error" and mode in self.write_modes:
                self.write(engine, connection, "modes/fresh.parquet", first, "error")
                same_rows(self.read(engine, connection, "modes/fresh.parquet"), first)
            return
        self.write(engine, connection, target, second, mode)
        got = self.read(engine, connection, target)
        if mode == "append":
            assert sorted(got.column("id").to_pylist()) == [1, 2, 3, 4, 4, 5, 5, 6, 7, 8]
        elif mode in ("upsert", "merge"):
            same_rows(got, sample_table(range(1, 9)))
        else:
            same_rows(got, second)
        assert [n for n in self.list_names(connection, "modes") if ".odibi-" in n] == []

    def test_a_failed_publish_leaves_the_target_and_no_staging(
        self, engine: Engine, connection: FileConnection, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        self.write(engine, connection, "failed/t.parquet", sample_table())

        def broken(staging: str, path: str) -> None:
            raise OdibiError("publish failed on purpose (contract suite)")

        monkeypatch.setattr(connection, "publish", broken)
        with pytest.raises(OdibiError, match="on purpose"):
            self.write(engine, connection, "failed/t.parquet", sample_table(range(100, 103)))
        monkeypatch.undo()
        same_rows(self.read(engine, connection, "failed/t.parquet"), sample_table())
        assert [n for n in self.list_names(connection, "failed") if ".odibi-" in n] == []

    def failing_frame(self, engine: Engine) -> Any:
        """A frame whose computation fails (so the write fails midway). Default: SQL that raises
        at run time in the engine's dialect (``error()`` in DuckDB, ``raise_error()`` in Spark)."""
        raiser = "raise_error" if engine.sql_dialect == "spark" else "error"
        return engine.sql(
            f"SELECT id, {raiser}('failed on purpose') AS boom FROM this",
            {"this": engine.from_arrow(sample_table())},
        )

    def test_a_write_of_a_failing_frame_leaves_the_target(
        self, engine: Engine, connection: FileConnection
    ) -> None:
        self.write(engine, connection, "broken/t.parquet", sample_table())
        with pytest.raises(Exception, match="on purpose"):
            engine.write(
                self.failing_frame(engine),
                connection,
                WriteRequest(mode="overwrite", format="parquet", path="broken/t.parquet"),
            )
        same_rows(self.read(engine, connection, "broken/t.parquet"), sample_table())
        assert [n for n in self.list_names(connection, "broken") if ".odibi-" in n] == []

    def test_stale_staging_of_dead_writers_is_cleaned_and_live_ones_kept(
        self, connection: FileConnection
    ) -> None:
        from odibi_core.testing.engine_contract_files import dead_staging_name, live_staging_name

        dead, live = dead_staging_name("t.parquet"), live_staging_name("t.parquet")
        self.put_file(connection, f"stale/{dead}", b"dead")
        self.put_file(connection, f"stale/{live}", b"live")
        removed = connection.clean_stale("stale/t.parquet")
        names = self.list_names(connection, "stale")
        assert live in names
        if self.declares("stale_cleanup"):
            assert dead not in names
            assert [posixpath.basename(r) for r in removed] == [dead]
        else:
            assert removed == []
            assert dead in names

    # --- safety and fidelity ---------------------------------------------------------------

    def test_hostile_paths_are_refused_or_stay_under_the_root(
        self, connection: FileConnection
    ) -> None:
        root = connection.resolve("")
        paths = st.lists(
            st.sampled_from(PATH_PARTS) | st.text(max_size=4), min_size=1, max_size=5
        ).map("/".join)

        @settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
        @given(st.tuples(st.sampled_from(["", "/", "../", "a/../../"]), paths), st.booleans())
        def check(parts: tuple[str, str], write: bool) -> None:
            path = parts[0] + parts[1]
            with contextlib.suppress(OdibiError):
                connection.check_path(path, write=write)
            try:  # resolve() must refuse on its own, whatever check_path said
                resolved = connection.resolve(path)
            except OdibiError:
                return
            assert inside(root, resolved), f"{path!r} resolved to {resolved!r}, outside {root!r}"

        check()

    def test_an_odd_but_legal_name_is_written_and_read_literally(
        self, engine: Engine, connection: FileConnection
    ) -> None:
        self.write(engine, connection, ODD_NAME, sample_table())
        same_rows(self.read(engine, connection, ODD_NAME), sample_table())
        assert "o'k é 日本 (1).parquet" in self.list_names(connection, ODD_NAME.rpartition("/")[0])

    def test_types_round_trip_through_arrow(
        self, engine: Engine, connection: FileConnection
    ) -> None:
        self.write(engine, connection, "typed/t.parquet", typed_table())
        same_rows(self.read(engine, connection, "typed/t.parquet"), typed_table())

    def test_the_fingerprint_is_stable_until_the_data_changes(
        self, connection: FileConnection
    ) -> None:
        self.put_table(connection, "marked/a.parquet", sample_table())
        one = ReadRequest(format="parquet", path="marked/a.parquet")
        if not self.declares("fingerprint"):
            assert connection.source_fingerprint(one) is None
            return
        first = self.settled_fingerprint(connection, one)
        assert first is not None
        assert len(first) <= 128
        assert self.settled_fingerprint(connection, one) == first
        self.put_table(connection, "marked/a.parquet", sample_table(range(1, 12)))
        rewritten = self.settled_fingerprint(connection, one)
        assert rewritten is not None
        assert rewritten != first
        if self.declares("glob"):
            glob = ReadRequest(format="parquet", path="marked/*.parquet")
            before = self.settled_fingerprint(connection, glob)
            self.put_table(connection, "marked/b.parquet", sample_table())
            after = self.settled_fingerprint(connection, glob)
            assert before is not None
            assert after is not None
            assert after != before

    # --- threading -------------------------------------------------------------------------

    def test_its_methods_and_writes_may_run_on_several_threads_at_once(
        self, engine: Engine, connection: FileConnection
    ) -> None:
        self.put_table(connection, "shared/a.parquet", sample_table())
        request = ReadRequest(format="parquet", path="shared/a.parquet")

        def probe() -> tuple[Any, ...]:
            return (
                connection.resolve("shared/a.parquet"),
                connection.exists("shared/a.parquet"),
                connection.read_paths("shared/a.parquet"),
                self.settled_fingerprint(connection, request),
            )

        expected = probe()
        results: dict[int, Any] = {}

        def work(i: int) -> None:
            try:
                self.write(
                    engine, connection, f"threads/t{i}.parquet", sample_table(range(1, i + 2))
                )
                results[i] = (
                    probe(),
                    self.read(engine, connection, f"threads/t{i}.parquet").num_rows,
                )
            except BaseException as exc:  # reported below
                results[i] = exc

        threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
        assert results == {i: (expected, i + 1) for i in range(4)}
