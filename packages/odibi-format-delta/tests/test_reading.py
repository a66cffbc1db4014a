"""Reading: time travel, partition pruning, projection, incremental filter, streaming batches."""

from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone

import pytest
from odibi_core.contracts.requests import ReadRequest
from odibi_format_delta.errors import DeltaFormatError, DeltaOptionError, DeltaTableMissing


def test_time_travel_by_version_and_timestamp(write, read):
    write({"id": [1], "v": ["a"]})
    write({"id": [2], "v": ["b"]}, mode="append")
    write({"id": [3], "v": ["c"]}, mode="overwrite")
    assert read()["id"].to_pylist() == [3]
    assert read(version=0)["id"].to_pylist() == [1]
    assert read(version=1)["id"].to_pylist() == [1, 2]
    now = datetime.now(timezone.utc) + timedelta(seconds=1)
    assert read(timestamp=now)["id"].to_pylist() == [3]


def test_missing_version_and_missing_table_are_clear_errors(write, read):
    with pytest.raises(DeltaTableMissing, match="no Delta table at lake:t"):
        read()
    write({"id": [1]})
    with pytest.raises(DeltaFormatError, match="lake:t"):
        read(version=7)


def test_partition_filter_never_opens_other_partitions(write, read, lake):
    write({"id": [1, 2, 3], "region": ["EU", "US", "EU"]}, partition_by=["region"])
    us_folder = os.path.join(lake.root, "t", "region=US")
    for name in os.listdir(us_folder):  # a corrupt file in the pruned partition must not matter
        with open(os.path.join(us_folder, name), "wb") as handle:
            handle.write(b"not parquet")
    table = read(partition_filter=[["region", "=", "EU"]])
    assert table["id"].to_pylist() == [1, 3]
    assert read(partition_filter=[["region", "in", ["EU"]]]).num_rows == 2


def test_partition_filter_on_a_data_column_names_the_partition_columns(write, read):
    write({"id": [1], "region": ["EU"]}, partition_by=["region"])
    with pytest.raises(DeltaOptionError, match=r"id.*not partition columns.*region"):
        read(partition_filter=[["id", "=", 1]])


def test_projection_and_unknown_columns(write, read):
    write({"id": [1, 2], "a": [1.0, 2.0], "b": ["x", "y"]})
    assert read(columns=["b", "id"]).column_names == ["b", "id"]
    with pytest.raises(DeltaOptionError, match=r"no column nope.*its columns: id, a, b"):
        read(columns=["id", "nope"])


def test_incremental_filter_is_applied_in_the_scan(write, read):
    write({"id": [1, 2, 3, 4]})
    assert read(incremental=("id", 2))["id"].to_pylist() == [3, 4]


def test_reads_stream_in_batches(write, delta, lake):
    write({"id": list(range(1000))})
    reader = delta.read_arrow(
        lake, ReadRequest(format="delta", path="t", options={"batch_rows": 100})
    )
    sizes = [batch.num_rows for batch in reader]
    assert sum(sizes) == 1000
    assert max(sizes) <= 100


def test_fingerprint_is_the_version(write, delta, lake):
    request = ReadRequest(format="delta", path="t")
    assert delta.source_fingerprint(lake, request) is None
    write({"id": [1]})
    assert delta.source_fingerprint(lake, request) == "delta:v0"
    write({"id": [2]}, mode="append")
    assert delta.source_fingerprint(lake, request) == "delta:v1"
    pinned = ReadRequest(format="delta", path="t", options={"version": 0})
    assert delta.source_fingerprint(lake, pinned) == "delta:v0"
    assert delta.exists(lake, "t")
    assert not delta.exists(lake, "other")
