"""The contract test suites every connection passes: one for file connections, one for tables.

Subclass :class:`FileConnectionContractTests` (a
:class:`~odibi_core.contracts.connection.FileConnection`) or :class:`TableConnectionContractTests`
(a :class:`~odibi_core.contracts.connection.TableConnection`) in your plugin's tests, set the class
attributes, provide the ``connection_options`` fixture, and pytest runs every contract test against
your connection, built through your registration hook exactly as a run builds it::

    import pytest
    import my_plugin
    from odibi_core.testing.connection_contract import TableConnectionContractTests

    class TestMyConnection(TableConnectionContractTests):
        connection_type = "mydb"
        plugin = my_plugin                       # the module with your hookimpls
        capabilities = frozenset({"table", "query", "query_params", "incremental"})
        write_modes = frozenset({"overwrite", "append", "error"})
        bad_options = (({"port": 0}, "port"),)

        @pytest.fixture
        def connection_options(self, tmp_path):
            return {"path": str(tmp_path / "db")}

        def select_query(self, table, param):
            where = f" WHERE s = :{param}" if param else ""
            return f'SELECT * FROM "{table}"{where}'

What the suites test
    Registration through ``odibi_connections`` with an options model; a project using the type
    validates; an unknown key or a bad value is one ``ConfigError`` naming it with ``file:line``.
    Every read shape the connection declares (files: ``path``, ``glob``, ``folder``; tables:
    ``table``, ``query``, ``query_params``, ``incremental``, ``batch_size``); every write mode
    (``overwrite``, ``append``, ``error``, ``upsert``, ``merge``); a failed write leaves the target
    as it was (and no staging behind); hostile paths (Hypothesis: ``..``, absolute, drives, NUL,
    backslashes, quotes, unicode) are refused with an ``OdibiError`` or stay under the root;
    hostile table names are refused or used literally, never touching another table; Arrow types
    round-trip (integers, floats, text with quotes and unicode, booleans, dates, UTC timestamps,
    decimals, nulls); the source fingerprint is stable while the data is and changes with it; and
    threading (below).

Capability flags
    :attr:`~odibi_core.testing.connection_contract_hooks.ConnectionContractHooks.capabilities`
    and ``write_modes`` say what the connection can do. Nothing is skipped: a test of a capability
    the connection does not declare checks that the connection *refuses* it with an
    ``OdibiError`` (a write mode, a read shape), or that its fingerprint is always ``None``, or
    that ``clean_stale`` removes nothing (``stale_cleanup``). For file connections the modes are
    those of the connection together with the suite's engine (the ``engine`` fixture; the builtin
    duckdb by default).

Threading rule (what the kernel relies on, and the suites test)
    A connection is shared by the nodes of a run, which execute on several worker threads: every
    method may be called from several threads at once (reads, writes of different targets,
    ``resolve``, ``exists``, ``source_fingerprint``). A ``pyarrow.RecordBatchReader`` returned by
    :meth:`~odibi_core.contracts.connection.TableConnection.read_arrow` may be consumed on another
    thread than the one that opened it, by one thread at a time (the engine consumes it where it
    needs the rows); it is never shared by two consumers.

Fixtures and hooks a subclass provides
    ``connection_options`` (fixture, required): valid options, the YAML keys other than ``type``.
    ``connection`` (fixture): built from those through the registration; override only when the
    connection needs more than its options. File suites: ``engine`` (fixture, default duckdb),
    ``put_file`` / ``list_names`` (store bytes and list a folder bypassing the engine; the
    defaults handle local paths, ``file://`` URIs and fsspec filesystems) and ``failing_frame``.
    Table suites: ``make_table_name`` (fixture: a fresh table name, e.g. schema-qualified),
    ``select_query`` (your SQL and placeholder style), ``fingerprint_request`` (read options the
    fingerprint needs), ``seed`` (default: an ``overwrite`` write) and ``batch_size_option``.

The fixtures ``make_plugin_manager`` and ``write_project`` come from Odibi's pytest plugin, which
pytest loads automatically once ``odibi-core[testing]`` is installed.
"""

from __future__ import annotations

from odibi_core.testing.connection_contract_common import ConnectionCommonTests
from odibi_core.testing.connection_contract_files import FileConnectionContractTests
from odibi_core.testing.connection_contract_hooks import (
    ALL_WRITE_MODES,
    FILE_CAPABILITIES,
    TABLE_CAPABILITIES,
    ConnectionContractHooks,
)
from odibi_core.testing.connection_contract_tables import TableConnectionContractTests

__all__ = [
    "ALL_WRITE_MODES",
    "FILE_CAPABILITIES",
    "TABLE_CAPABILITIES",
    "ConnectionCommonTests",
    "ConnectionContractHooks",
    "FileConnectionContractTests",
    "TableConnectionContractTests",
]
