"""The ``postgres`` connection passes the table connection contract suite on a real server."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import odibi_connector_postgres.plugin
import pytest
from odibi_core.contracts.requests import ReadRequest
from odibi_core.testing.connection_contract import TableConnectionContractTests

pytestmark = pytest.mark.postgres


def quoted(part: str) -> str:
    """``part`` as a double-quoted table-name part (``"`` doubled)."""
    return '"' + part.replace('"', '""') + '"'


class TestPostgresConnectionContract(TableConnectionContractTests):
    """Every table-connection contract test, in a fresh schema per test."""

    connection_type = "postgres"
    plugin = odibi_connector_postgres.plugin
    capabilities = frozenset(
        {"table", "query", "query_params", "incremental", "batch_size", "fingerprint"}
    )
    write_modes = frozenset({"overwrite", "append", "error", "upsert"})
    bad_options = (({"port": 0}, "port"), ({"sslmode": "sometimes"}, "sslmode"))

    @pytest.fixture
    def connection_options(self, pg_dsn: str) -> dict[str, Any]:
        return {"dsn": pg_dsn}

    @pytest.fixture
    def make_table_name(self, pg_schema: str) -> Callable[[str], str]:
        return lambda base: f"{pg_schema}.{base}"

    def select_query(self, table: str, param: str | None) -> str:
        schema, _, name = table.partition(".")
        where = f" WHERE s = %({param})s" if param else ""
        return f"SELECT * FROM {quoted(schema)}.{quoted(name)}{where}"

    def fingerprint_request(self, request: ReadRequest) -> ReadRequest:
        return ReadRequest(table=request.table, options={"change_column": "id"})
