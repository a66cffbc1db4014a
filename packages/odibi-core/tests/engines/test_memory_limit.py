"""``engine_options.memory_limit`` is checked when the project loads, as DuckDB would read it."""

from __future__ import annotations

import pytest
from odibi_core.engines.memory_limit import check_memory_limit


@pytest.mark.parametrize(
    "value", ["4GB", "4 GB", "512MiB", "1.5gb", ".5GB", "80%", "100%", "2TiB", "none", "-1", None]
)
def test_sizes_percentages_and_none_are_accepted(value: str | None) -> None:
    assert check_memory_limit(value) == value


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("lots", "is not a size"),
        ("10", "is not a size"),
        ("4 GBs", "is not a size"),
        ("1e3GB", "is not a size"),
        ("0GB", "below 1MB"),
        ("4kb", "below 1MB"),
        ("0%", "above 0 and at most 100"),
        ("101%", "at most 100"),
    ],
)
def test_anything_else_is_refused_with_the_reason(value: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        check_memory_limit(value)


def test_every_accepted_value_starts_duckdb() -> None:
    import duckdb

    for value in ("4GB", "512MiB", "80%", "none", "1.5gb"):
        duckdb.connect(":memory:", config={"memory_limit": value}).close()
