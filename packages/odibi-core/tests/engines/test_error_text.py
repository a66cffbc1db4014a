"""Engine error text: internal names removed, offsets turned into line and column."""

from __future__ import annotations

import pytest
from odibi_core.engines.error_text import locate_fragment, position_of_offset, scrub_internal_names
from odibi_core.errors import SqlPosition


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        (
            "Table with name odibi_12_sql.orders does not exist",
            "Table with name orders does not exist",
        ),
        ('Catalog Error: "odibi_3_read"."src" is gone', 'Catalog Error: "src" is gone'),
        (
            "COPY failed: Cannot open file '/lake/out/.totals.parquet.odibi-tmp-1a2b3c4d': "
            "No space left",
            "COPY failed: Cannot open file '/lake/out/totals.parquet': No space left",
        ),
        ("cannot read .x.csv.odibi-old-99 now", "cannot read x.csv now"),
        ("Referenced table odibi_result not found", "Referenced table the step's result not found"),
        (
            "nothing internal here: odibi_customers is a user table",
            "nothing internal here: odibi_customers is a user table",
        ),
    ],
)
def test_internal_names_and_staging_files_are_replaced(raw: str, shown: str) -> None:
    assert scrub_internal_names(raw) == shown


def test_an_offset_becomes_a_line_and_column_and_the_caret_stays_on_its_line() -> None:
    sql = "SELECT a,\n  bad_column + 1\nFROM t"
    start = sql.index("bad_column")
    assert position_of_offset(sql, start, start + 9) == SqlPosition(2, 3, 10)
    assert position_of_offset(sql, start, len(sql) - 1) == SqlPosition(2, 3, len("bad_column + 1"))
    assert position_of_offset(sql, 0) == SqlPosition(1, 1, 1)
    assert position_of_offset(sql, len(sql)) is None
    assert position_of_offset(sql, -1) is None


def test_a_fragment_is_found_only_when_it_is_unique() -> None:
    sql = "SELECT x, x + 1 AS y\nFROM t WHERE CAST(s AS INT) > 0"
    assert locate_fragment(sql, "CAST(s AS INT)") == SqlPosition(2, 14, 14)
    assert locate_fragment(sql, "x") is None
    assert locate_fragment(sql, "") is None
