"""Table names are data: parsed, then quoted by psycopg, never pasted into SQL."""

from __future__ import annotations

import pytest
from odibi_connector_postgres.identifiers import TableName
from odibi_core.errors import ConfigError


@pytest.mark.parametrize(
    ("text", "schema", "name"),
    [
        ("orders", None, "orders"),
        ("sales.orders", "sales", "orders"),
        ("Sales.Orders", "Sales", "Orders"),
        ("x; drop table y", None, "x; drop table y"),
        ('"my.schema"."Daily Orders"', "my.schema", "Daily Orders"),
        ('"a""b"', None, 'a"b'),
    ],
)
def test_names_are_taken_literally(text: str, schema: str | None, name: str) -> None:
    assert TableName.parse(text) == TableName(schema, name)


@pytest.mark.parametrize("text", ["a.b.c", "a.", ".a", '"open', "", '""'])
def test_malformed_names_are_config_errors(text: str) -> None:
    with pytest.raises(ConfigError):
        TableName.parse(text)


def test_regclass_text_quotes_every_part() -> None:
    assert TableName.parse('s.x"; drop').regclass_text() == '"s"."x""; drop"'
