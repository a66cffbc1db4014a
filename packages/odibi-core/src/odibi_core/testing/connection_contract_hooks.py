"""Hooks, capability flags and helpers shared by the connection contract test classes.

See :mod:`odibi_core.testing.connection_contract` for how a connection's tests use them.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import pytest

from odibi_core.errors import OdibiError

if TYPE_CHECKING:
    import pyarrow as pa

    from odibi_core.contracts.connection import Connection
    from odibi_core.contracts.requests import ReadRequest
    from odibi_core.plugins.manager import OdibiPluginManager

CONTRACT_NAME = "contract"
"""The name the suite gives the connection it builds (the project's key for it)."""

CONTRACT_RUN_ID = "20260101T000000Z-contract"
"""The run id in the build context of the connection the suite builds."""

FILE_CAPABILITIES = frozenset({"path", "glob", "folder", "fingerprint", "stale_cleanup"})
"""What a file connection may declare in :attr:`ConnectionContractHooks.capabilities`:

``path``: a read of one file; ``glob``: ``*``/``?`` patterns; ``folder``: a read of every data
file under a folder; ``fingerprint``:
:meth:`~odibi_core.contracts.connection.Connection.source_fingerprint` markers;
``stale_cleanup``: :meth:`~odibi_core.contracts.connection.FileConnection.clean_stale` removes
what a dead writer left."""

TABLE_CAPABILITIES = frozenset(
    {"table", "query", "query_params", "incremental", "batch_size", "fingerprint"}
)
"""What a table connection may declare: ``table`` and ``query`` reads, ``query_params`` (bound
parameters), ``incremental`` (``incremental_column``/``incremental_after``), ``batch_size`` (a
read option bounding rows per batch, named by ``batch_size_option``) and ``fingerprint``."""

ALL_WRITE_MODES = ("overwrite", "append", "error", "upsert", "merge")
"""Every mode the suite tries; modes a connection does not declare must be refused."""


class ConnectionContractHooks:
    """What a connection's test class provides: class attributes and fixtures (see the module
    docstring of :mod:`odibi_core.testing.connection_contract`)."""

    connection_type: ClassVar[str] = ""
    """The registered type (the ``type:`` a project writes)."""

    plugin: ClassVar[object | None] = None
    """The module (or object) holding the plugin's hook implementations; ``None`` for a builtin."""

    capabilities: ClassVar[frozenset[str]] = frozenset()
    """The capabilities the connection declares (:data:`FILE_CAPABILITIES` or
    :data:`TABLE_CAPABILITIES`). Each declared one is tested; each one left out must be refused
    with an :class:`~odibi_core.errors.OdibiError` (a fingerprint: always ``None``)."""

    write_modes: ClassVar[frozenset[str]] = frozenset({"overwrite"})
    """Write modes the connection supports (with the suite's engine, for file connections)."""

    bad_options: ClassVar[tuple[tuple[Mapping[str, Any], str], ...]] = ()
    """Invalid option sets and a fragment the error must contain, besides the unknown key the
    suite always tries: ``(({"port": 0}, "port"),)``."""

    fingerprint_settle_seconds: ClassVar[float] = 3.0
    """How long a fingerprint may stay ``None`` right after a change (a racy timestamp)."""

    # --- fixtures a subclass provides ------------------------------------------------------

    @pytest.fixture
    def connection_options(self) -> dict[str, Any]:
        """Override: valid options of the connection (the YAML keys other than ``type``)."""
        raise NotImplementedError("override the connection_options fixture")

    @pytest.fixture
    def plugin_manager(
        self, make_plugin_manager: Callable[..., OdibiPluginManager]
    ) -> OdibiPluginManager:
        """A fresh manager with the builtins and :attr:`plugin`."""
        plugins = (("contract-plugin", self.plugin),) if self.plugin is not None else ()
        return make_plugin_manager(*plugins)

    @pytest.fixture
    def connection(
        self, plugin_manager: OdibiPluginManager, connection_options: dict[str, Any], tmp_path: Path
    ) -> Iterator[Connection]:
        """The connection, built as a run builds it: registration, options model, factory."""
        connection = build_registered(
            plugin_manager, self.connection_type, connection_options, tmp_path
        )
        yield connection
        connection.close()

    # --- helpers ---------------------------------------------------------------------------

    def declares(self, capability: str) -> bool:
        """Whether the connection declares ``capability`` (or the write mode)."""
        return capability in self.capabilities or capability in self.write_modes

    @contextlib.contextmanager
    def honest(self, capability: str) -> Iterator[None]:
        """Run the block; if ``capability`` is not declared it must raise an ``OdibiError``."""
        if self.declares(capability):
            yield
            return
        try:
            yield
        except OdibiError:
            return  # refused, as it must be
        pytest.fail(f"{capability!r} is not declared, but the connection did not refuse it")

    def settled_fingerprint(self, connection: Connection, request: ReadRequest) -> str | None:
        """The fingerprint once it is not ``None`` (it may be, briefly, right after a change)."""
        deadline = time.monotonic() + self.fingerprint_settle_seconds
        while True:
            marker = connection.source_fingerprint(request)
            if marker is not None or time.monotonic() > deadline:
                return marker
            time.sleep(0.05)


def build_registered(
    pm: OdibiPluginManager, connection_type: str, options: Mapping[str, Any], project_dir: Path
) -> Connection:
    """Build ``connection_type`` from ``options`` through its registration (as a run does)."""
    from odibi_core.plugins.types import BuildContext

    spec = pm.connection(connection_type)
    model = spec.options_model()
    validated = model.model_validate(dict(options)) if model else None
    context = BuildContext(
        name=CONTRACT_NAME, project_dir=project_dir, project_name="contract", run_id=CONTRACT_RUN_ID
    )
    connection = spec.factory(validated, context)
    connection.name, connection.type = CONTRACT_NAME, connection_type
    return connection


def sample_table(ids: range = range(1, 11)) -> pa.Table:
    """Rows ``id`` (int64), ``s`` (string) and ``n`` (float64) for read tests."""
    import pyarrow as pa

    return pa.table(
        {
            "id": pa.array(list(ids), pa.int64()),
            "s": pa.array([f"row {i}" for i in ids], pa.string()),
            "n": pa.array([i / 4 for i in ids], pa.float64()),
        }
    )


def typed_table() -> pa.Table:
    """One column per interchange type the suite round-trips, with nulls and odd values."""
    import datetime as dt
    import decimal

    import pyarrow as pa

    return pa.table(
        {
            "id": pa.array([1, 2, 3], pa.int64()),
            "i32": pa.array([-(2**31), None, 2**31 - 1], pa.int32()),
            "f": pa.array([0.5, None, -1e300], pa.float64()),
            "s": pa.array(["plain", None, "é 日本 'q' \"dq\" \\ \n tab\t"], pa.string()),
            "b": pa.array([True, None, False], pa.bool_()),
            "d": pa.array([dt.date(1970, 1, 1), None, dt.date(2999, 12, 31)], pa.date32()),
            "ts": pa.array(
                [
                    dt.datetime(2026, 1, 2, 3, 4, 5, 6000, tzinfo=dt.timezone.utc),
                    None,
                    dt.datetime(1900, 1, 1, tzinfo=dt.timezone.utc),
                ],
                pa.timestamp("us", tz="UTC"),
            ),
            "dec": pa.array(
                [decimal.Decimal("12345678.90"), None, decimal.Decimal("-0.01")],
                pa.decimal128(10, 2),
            ),
        }
    )


def same_rows(got: pa.Table, expected: pa.Table, *, key: str = "id") -> None:
    """Assert ``got`` holds ``expected``'s rows (cast to its schema, ordered by ``key``)."""
    got = got.select(expected.column_names).cast(expected.schema)
    assert got.sort_by(key).to_pylist() == expected.sort_by(key).to_pylist()


def failing_reader(table: pa.Table, *, after: int = 1) -> pa.RecordBatchReader:
    """A reader yielding ``after`` batches of ``table`` and then raising (a source that breaks)."""
    import pyarrow as pa

    batches = table.to_batches(max_chunksize=max(1, table.num_rows // 3))

    def generate() -> Iterator[pa.RecordBatch]:
        yield from batches[:after]
        raise RuntimeError("the contract suite's source failed on purpose")

    return pa.RecordBatchReader.from_batches(table.schema, generate())
