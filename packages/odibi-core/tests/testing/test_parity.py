"""The parity comparison accepts only the documented differences."""

from __future__ import annotations

import datetime as dt
import decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from odibi_core.testing.parity import assert_same_output, read_output, sorted_rows, values_equal


def test_floats_are_equal_within_the_documented_tolerance() -> None:
    assert values_equal(0.1 + 0.2, 0.3)
    assert values_equal(1e12 + 1e-4, 1e12)
    assert not values_equal(1.0, 1.0001)
    assert not values_equal(0.0, 1e-6)


def test_decimals_compare_by_value_and_with_floats_by_tolerance() -> None:
    assert values_equal(decimal.Decimal("1.50"), decimal.Decimal("1.5"))
    assert not values_equal(decimal.Decimal("1.51"), decimal.Decimal("1.5"))
    assert values_equal(decimal.Decimal("9.875"), 9.875)


def test_nulls_booleans_and_integers_are_exact() -> None:
    assert values_equal(None, None)
    assert not values_equal(None, 0)
    assert not values_equal(0, None)
    assert not values_equal(True, 1)
    assert values_equal(3, 3)
    assert not values_equal(3, 4)


def test_time_zones_are_compared_as_instants_and_rows_sorted_with_nulls_first() -> None:
    plus_two = dt.timezone(dt.timedelta(hours=2))
    left = sorted_rows([(dt.datetime(2024, 1, 1, 10, tzinfo=plus_two),), (None,)])
    right = sorted_rows([(dt.datetime(2024, 1, 1, 8, tzinfo=dt.timezone.utc),), (None,)])
    assert left == right
    assert left[0] == (None,)


def test_outputs_differing_in_type_family_or_value_fail(tmp_path: Path) -> None:
    pq.write_table(pa.table({"k": [1, 2], "v": [1.0, 2.0]}), tmp_path / "a.parquet")
    pq.write_table(
        pa.table({"k": pa.array([2, 1], pa.int32()), "v": [2.0, 1.0]}), tmp_path / "b.parquet"
    )
    pq.write_table(pa.table({"k": ["1", "2"], "v": [1.0, 2.0]}), tmp_path / "c.parquet")
    pq.write_table(pa.table({"k": [1, 2], "v": [1.0, 2.5]}), tmp_path / "d.parquet")
    a = read_output(tmp_path / "a.parquet", "parquet")
    assert_same_output(a, read_output(tmp_path / "b.parquet", "parquet"), "int widths and order")
    with pytest.raises(AssertionError, match="column types"):
        assert_same_output(a, read_output(tmp_path / "c.parquet", "parquet"), "string keys")
    with pytest.raises(AssertionError, match="row 1 column v"):
        assert_same_output(a, read_output(tmp_path / "d.parquet", "parquet"), "value")
