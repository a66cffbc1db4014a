"""The contract of table connections (databases, APIs): Arrow batches in and out.

See :mod:`odibi_core.testing.connection_contract` for how to subclass
:class:`TableConnectionContractTests` and the threading rule it tests.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from odibi_core.contracts.connection import TableConnection
from odibi_core.contracts.requests import ReadRequest, WriteRequest
from odibi_core.errors import OdibiError
from odibi_core.testing.connection_contract_common import ConnectionCommonTests
from odibi_core.testing.connection_contract_hooks import (
    ALL_WRITE_MODES,
    TABLE_CAPABILITIES,
    failing_reader,
    same_rows,
    sample_table,
    typed_table,
)

if TYPE_CHECKING:
    import pyarrow as pa

PARAM_VALUES = ("it's", "'; DROP TABLE x; --", 'say "hi"', "%(other)s", "é 日本", " padded ", "")
"""Values of ``s`` seeded for the bound-parameter test; each must select exactly its rows."""


class TableConnectionContractTests(ConnectionCommonTests):
    """Contract tests for :class:`~odibi_core.contracts.connection.TableConnection` classes."""

    known_capabilities = TABLE_CAPABILITIES
    connection_class = TableConnection

    batch_size_option: ClassVar[str] = "batch_rows"
    """The read option bounding rows per batch (for the ``batch_size`` capability)."""

    # --- hooks a subclass provides ---------------------------------------------------------

    @pytest.fixture
    def make_table_name(self) -> Callable[[str], str]:
        """Override: ``make_table_name(base)`` is the ``table:`` value of a fresh table named
        ``base`` (qualify it with a per-test schema, for example). Default: ``base`` and a
        suffix."""
        suffix = uuid.uuid4().hex[:8]
        return lambda base: f"{base}_{suffix}"

    def select_query(self, table: str, param: str | None) -> str:
        """Override: a query reading every column of ``table``; with ``param``, only the rows whose
        ``s`` equals the bound parameter named ``param`` (in the connection's placeholder style).
        Default: ``SELECT * FROM <table>`` and ``WHERE s = :<param>``."""
        return f"SELECT * FROM {table}" + (f" WHERE s = :{param}" if param else "")

    def fingerprint_request(self, request: ReadRequest) -> ReadRequest:
        """Override: ``request`` with the read options the connection's fingerprint needs."""
        return request

    def seed(self, connection: TableConnection, table: str, data: pa.Table) -> None:
        """Put ``data`` in ``table`` (default: an ``overwrite`` write through the connection)."""
        connection.write_arrow(data.to_reader(), WriteRequest(mode="overwrite", table=table))

    # --- helpers ---------------------------------------------------------------------------

    def seed_for(self, connection: TableConnection, table: str, data: pa.Table, mode: str) -> None:
        """Seed ``table`` for a write in ``mode``: a keyed mode the connection declares creates
        it with that mode (a database may key the table then); others use :meth:`seed`."""
        if mode in ("upsert", "merge") and mode in self.write_modes:
            request = WriteRequest(mode=mode, table=table, keys=("id",))
            connection.write_arrow(data.to_reader(), request)
        else:
            self.seed(connection, table, data)

    @staticmethod
    def read_all(connection: TableConnection, request: ReadRequest) -> pa.Table:
        """Every row ``request`` selects."""
        reader = connection.read_arrow(request)
        try:
            return reader.read_all()
        finally:
            reader.close()

    # --- reads -----------------------------------------------------------------------------

    def test_reads_a_table(
        self, connection: TableConnection, make_table_name: Callable[[str], str]
    ) -> None:
        table = make_table_name("whole")
        self.seed(connection, table, sample_table())
        with self.honest("table"):
            same_rows(self.read_all(connection, ReadRequest(table=table)), sample_table())

    def test_reads_a_query(
        self, connection: TableConnection, make_table_name: Callable[[str], str]
    ) -> None:
        table = make_table_name("queried")
        self.seed(connection, table, sample_table())
        with self.honest("query"):
            same_rows(
                self.read_all(connection, ReadRequest(query=self.select_query(table, None))),
                sample_table(),
            )

    def test_query_parameters_are_bound_never_formatted(
        self, connection: TableConnection, make_table_name: Callable[[str], str]
    ) -> None:
        import pyarrow as pa

        table = make_table_name("params")
        seeded = pa.table(
            {
                "id": pa.array(range(len(PARAM_VALUES)), pa.int64()),
                "s": pa.array(PARAM_VALUES, pa.string()),
            }
        )
        self.seed(connection, table, seeded)
        if not self.declares("query_params"):
            with self.honest("query_params"):
                self.read_all(
                    connection, ReadRequest(query=self.select_query(table, "v"), params={"v": "x"})
                )
            return
        query = self.select_query(table, "v")

        @settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
        @given(st.one_of(st.sampled_from(PARAM_VALUES), st.text(max_size=12)))
        def check(value: str) -> None:
            request = ReadRequest(query=query, params={"v": value})
            if value in PARAM_VALUES:
                got = self.read_all(connection, request)
            else:
                try:  # a value the store cannot hold (a NUL) may be refused with a clear error
                    got = self.read_all(connection, request)
                except OdibiError:
                    return
            assert sorted(got.column("id").to_pylist()) == [
                i for i, s in enumerate(PARAM_VALUES) if s == value
            ]

        check()
        assert self.read_all(connection, ReadRequest(table=table)).num_rows == len(PARAM_VALUES)

    def test_an_incremental_read_returns_only_rows_after_the_mark(
        self, connection: TableConnection, make_table_name: Callable[[str], str]
    ) -> None:
        table = make_table_name("incremental")
        self.seed(connection, table, sample_table())
        with self.honest("incremental"):
            for request in (
                ReadRequest(table=table, incremental_column="id", incremental_after=7),
                *(
                    (
                        ReadRequest(
                            query=self.select_query(table, None),
                            incremental_column="id",
                            incremental_after=7,
                        ),
                    )
                    if self.declares("query")
                    else ()
                ),
            ):
                assert sorted(self.read_all(connection, request).column("id").to_pylist()) == [
                    8,
                    9,
                    10,
                ]
            everything = ReadRequest(table=table, incremental_column="id", incremental_after=None)
            assert self.read_all(connection, everything).num_rows == 10

    def test_the_batch_size_option_bounds_every_batch(
        self, connection: TableConnection, make_table_name: Callable[[str], str]
    ) -> None:
        table = make_table_name("batches")
        self.seed(connection, table, sample_table())
        with self.honest("batch_size"):
            reader = connection.read_arrow(
                ReadRequest(table=table, options={self.batch_size_option: 3})
            )
            sizes = [batch.num_rows for batch in reader]
            assert sum(sizes) == 10, sizes
            assert max(sizes) <= 3, sizes

    # --- writes ----------------------------------------------------------------------------

    @pytest.mark.parametrize("mode", ALL_WRITE_MODES)
    def test_each_write_mode_does_what_it_says_or_is_refused(
        self, connection: TableConnection, make_table_name: Callable[[str], str], mode: str
    ) -> None:
        table = make_table_name(f"mode_{mode}")
        first, second = sample_table(range(1, 6)), sample_table(range(4, 9))
        self.seed_for(connection, table, first, mode)
        request = WriteRequest(
            mode=mode, table=table, keys=("id",) if mode in ("upsert", "merge") else ()
        )
        if mode == "error":
            fresh = make_table_name("mode_error_new")
            assert (
                connection.write_arrow(first.to_reader(), WriteRequest(mode="error", table=fresh))
                == 5
            )
            same_rows(self.read_all(connection, ReadRequest(table=fresh)), first)
        if mode not in self.write_modes or mode == "error":
            with pytest.raises(OdibiError):
                connection.write_arrow(second.to_reader(), request)
            same_rows(self.read_all(connection, ReadRequest(table=table)), first)
            return
        written = connection.write_arrow(second.to_reader(), request)
        got = self.read_all(connection, ReadRequest(table=table))
        assert written == 5
        if mode == "append":
            assert sorted(got.column("id").to_pylist()) == [1, 2, 3, 4, 4, 5, 5, 6, 7, 8]
        elif mode in ("upsert", "merge"):
            same_rows(got, sample_table(range(1, 9)))
        else:
            same_rows(got, second)

    @pytest.mark.parametrize("mode", ALL_WRITE_MODES)
    def test_a_failed_write_leaves_the_table_unchanged(
        self, connection: TableConnection, make_table_name: Callable[[str], str], mode: str
    ) -> None:
        if mode not in self.write_modes:
            return  # refusals are tested above
        table = make_table_name(f"failed_{mode}")
        before = sample_table(range(1, 6))
        self.seed_for(connection, table, before, mode)
        keys = ("id",) if mode in ("upsert", "merge") else ()
        request = WriteRequest(mode=mode, table=table, keys=keys)
        with pytest.raises(Exception):  # noqa: B017, PT011 - what the source raised, wrapped or not
            connection.write_arrow(failing_reader(sample_table(range(3, 30))), request)
        same_rows(self.read_all(connection, ReadRequest(table=table)), before)
        fresh = make_table_name(f"failed_new_{mode}")
        with pytest.raises(Exception):  # noqa: B017, PT011
            connection.write_arrow(
                failing_reader(sample_table(range(3, 30))),
                WriteRequest(mode=mode, table=fresh, keys=keys),
            )
        assert not connection.exists(WriteRequest(mode=mode, table=fresh)), (
            "a failed write created the table"
        )

    # --- safety and fidelity ---------------------------------------------------------------

    def test_hostile_table_names_are_refused_or_used_literally(
        self, connection: TableConnection, make_table_name: Callable[[str], str]
    ) -> None:
        import pyarrow as pa

        sentinel = make_table_name("sentinel")
        self.seed(connection, sentinel, sample_table())
        names = st.text(st.sampled_from(list("ab'\";-.* é日\\%()$`")), min_size=1, max_size=10)

        @settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
        @given(names)
        def check(base: str) -> None:
            table = make_table_name(base)
            data = pa.table({"id": pa.array([1, 2], pa.int64())})
            try:
                connection.write_arrow(
                    data.to_reader(), WriteRequest(mode="overwrite", table=table)
                )
            except OdibiError:
                return  # refused with a clear error: fine
            assert self.read_all(connection, ReadRequest(table=table)).column("id").to_pylist() == [
                1,
                2,
            ]

        check()
        same_rows(self.read_all(connection, ReadRequest(table=sentinel)), sample_table())

    def test_types_round_trip_through_arrow(
        self, connection: TableConnection, make_table_name: Callable[[str], str]
    ) -> None:
        table = make_table_name("types")
        connection.write_arrow(
            typed_table().to_reader(), WriteRequest(mode="overwrite", table=table)
        )
        same_rows(self.read_all(connection, ReadRequest(table=table)), typed_table())

    def test_the_fingerprint_is_stable_until_the_data_changes(
        self, connection: TableConnection, make_table_name: Callable[[str], str]
    ) -> None:
        table = make_table_name("marked")
        self.seed(connection, table, sample_table())
        request = self.fingerprint_request(ReadRequest(table=table))
        if not self.declares("fingerprint"):
            assert connection.source_fingerprint(request) is None
            return
        first = self.settled_fingerprint(connection, request)
        assert first is not None
        assert len(first) <= 128
        assert self.settled_fingerprint(connection, request) == first
        connection.write_arrow(
            sample_table(range(11, 12)).to_reader(), WriteRequest(mode="append", table=table)
        )
        changed = self.settled_fingerprint(connection, request)
        assert changed is not None
        assert changed != first

    # --- threading -------------------------------------------------------------------------

    def test_a_reader_may_be_consumed_on_another_thread(
        self, connection: TableConnection, make_table_name: Callable[[str], str]
    ) -> None:
        table = make_table_name("threaded")
        self.seed(connection, table, sample_table())
        reader = connection.read_arrow(ReadRequest(table=table))
        got: list[Any] = []
        worker = threading.Thread(target=lambda: got.append(reader.read_all()))
        worker.start()
        worker.join(60)
        reader.close()
        assert got, "the reader could not be consumed on another thread"
        same_rows(got[0], sample_table())

    def test_reads_and_writes_may_run_on_several_threads_at_once(
        self, connection: TableConnection, make_table_name: Callable[[str], str]
    ) -> None:
        source = make_table_name("shared")
        self.seed(connection, source, sample_table())
        results: dict[int, Any] = {}

        def work(i: int) -> None:
            try:
                target = make_table_name(f"t{i}")
                connection.write_arrow(
                    sample_table(range(1, i + 2)).to_reader(),
                    WriteRequest(mode="overwrite", table=target),
                )
                results[i] = (
                    self.read_all(connection, ReadRequest(table=source)).num_rows,
                    self.read_all(connection, ReadRequest(table=target)).num_rows,
                )
            except BaseException as exc:  # reported below
                results[i] = exc

        threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
        assert results == {i: (10, i + 1) for i in range(4)}
