"""Staging and aside names: owner-tagged, hidden, recognisable."""

from __future__ import annotations

from odibi_core.files.owners import current_owner
from odibi_core.files.temp_names import (
    aside_name,
    is_hidden_name,
    is_temp_name,
    parse_temp_name,
    staging_name,
)


def test_staging_and_aside_names_carry_this_process_as_owner() -> None:
    for make, kind in ((staging_name, "staging"), (aside_name, "aside")):
        name = make("orders.parquet")
        assert name.startswith(".orders.parquet.odibi-")
        parsed = parse_temp_name(name, "orders.parquet")
        assert parsed is not None
        assert parsed.kind == kind
        assert parsed.owner == current_owner()
        assert is_temp_name(name)
        assert is_hidden_name(name)
    assert staging_name("a") != staging_name("a")


def test_names_of_other_targets_and_older_versions() -> None:
    name = staging_name("orders.parquet")
    assert parse_temp_name(name, "orders") is None
    assert parse_temp_name(name, "orders.parquet.odibi-tmp") is None
    legacy = parse_temp_name(".parts.odibi-old-1a2b3c4d", "parts")
    assert legacy is not None
    assert legacy.kind == "aside"
    assert legacy.owner is None
    assert not is_temp_name("orders.parquet")
    assert not is_temp_name("odibi-tmp-x")


def test_hidden_names_follow_spark_and_hadoop() -> None:
    assert is_hidden_name("_SUCCESS")
    assert is_hidden_name(".part-0.crc")
    assert not is_hidden_name("_g=1")
    assert not is_hidden_name("part-0.parquet")
