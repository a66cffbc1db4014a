"""Writing: every mode, replace_where, upsert and merge clauses, schema checks, failed writes."""

from __future__ import annotations

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from odibi_core.contracts.requests import WriteRequest
from odibi_core.engines.frames import WriteTargetExists
from odibi_format_delta.errors import DeltaSchemaMismatch, DeltaTableMissing
from odibi_format_delta.table import open_table


def rows(table):
    return sorted(tuple(r.values()) for r in table.to_pylist())


def test_overwrite_append_error(write, read, lake):
    assert write({"id": [1, 2]}) == 2
    assert write({"id": [3]}, mode="append") == 1
    assert read()["id"].to_pylist() == [1, 2, 3]
    with pytest.raises(WriteTargetExists, match="lake:t already exists"):
        write({"id": [9]}, mode="error")
    assert open_table(lake, "t").version() == 1
    assert write({"id": [5]}, mode="error", path="fresh") == 1


def test_replace_where_replaces_only_matching_partitions(write, read):
    write({"id": [1, 2, 3], "region": ["EU", "US", "EU"]}, partition_by=["region"])
    write({"id": [7], "region": ["EU"]}, replace_where="region = 'EU'")
    assert rows(read()) == [(2, "US"), (7, "EU")]


def test_upsert_is_one_commit(write, read, lake):
    write({"id": [1, 2], "v": ["a", "b"]})
    assert write({"id": [2, 3], "v": ["B", "c"]}, mode="upsert", keys=("id",)) == 2
    assert rows(read()) == [(1, "a"), (2, "B"), (3, "c")]
    history = open_table(lake, "t").history()
    assert history[0]["operation"] == "MERGE"
    assert history[0]["version"] == 1


def test_upsert_creates_a_missing_table(write, read):
    write({"id": [1], "v": ["a"]}, mode="upsert", keys=("id",))
    assert rows(read()) == [(1, "a")]


def test_merge_with_explicit_clauses(write, read):
    write({"id": [1, 2, 3], "v": ["a", "b", "c"], "n": [1, 1, 1]})
    write(
        {"id": [2, 4], "v": ["B", "d"], "n": [5, 5]},
        mode="merge",
        keys=("id",),
        when_matched_update={"set": {"v": "source.v", "n": "target.n + source.n"}},
        when_not_matched_insert="all",
        when_not_matched_by_source_delete={"condition": "target.id = 1"},
    )
    assert rows(read()) == [(2, "B", 6), (3, "c", 1), (4, "d", 5)]


def test_merge_into_a_missing_table_needs_insert_all(write):
    with pytest.raises(DeltaTableMissing, match="to merge into"):
        write({"id": [1]}, mode="merge", keys=("id",), when_matched_update="all")


def test_schema_mismatch_names_the_columns(write, read, lake):
    write({"id": [1], "v": ["a"]})
    with pytest.raises(DeltaSchemaMismatch, match="new columns not in the table: extra") as info:
        write({"id": [2], "v": ["b"], "extra": [1.0]}, mode="append")
    with pytest.raises(DeltaSchemaMismatch, match="column v: table has string, data has double"):
        write({"id": [2], "v": [1.5]}, mode="append")
    with pytest.raises(DeltaSchemaMismatch, match="missing from the data: v"):
        write({"id": [2]}, mode="append")
    assert "schema_mode: merge" in info.value.hint
    assert open_table(lake, "t").version() == 0


def test_schema_mode_merge_adds_columns(write, read):
    write({"id": [1], "v": ["a"]})
    write({"id": [2], "v": ["b"], "extra": [1.5]}, mode="append", schema_mode="merge")
    assert read().column("extra").to_pylist() == [None, 1.5]


def test_partition_by_writes_folders(write, lake):
    write({"id": [1, 2], "day": ["d1", "d2"]}, partition_by=["day"])
    assert sorted(p.name for p in (lake.root / "t").iterdir() if p.is_dir()) == [
        "_delta_log",
        "day=d1",
        "day=d2",
    ]


def test_a_write_failing_mid_stream_commits_nothing(delta, lake, write, read):
    write({"id": [1, 2]})
    schema = pa.schema([("id", pa.int64())])

    def batches():
        yield pa.record_batch([pa.array([10, 11])], schema=schema)
        raise OSError("source went away")

    reader = pa.RecordBatchReader.from_batches(schema, batches())
    with pytest.raises(Exception, match="source went away"):
        delta.write_arrow(reader, lake, WriteRequest(mode="overwrite", format="delta", path="t"))
    assert read()["id"].to_pylist() == [1, 2]
    assert open_table(lake, "t").version() == 0


OPERATIONS = st.lists(
    st.tuples(
        st.sampled_from(["overwrite", "append", "upsert"]),
        st.lists(
            st.tuples(st.integers(0, 6), st.integers(0, 99)),
            min_size=1,
            max_size=4,
            unique_by=lambda r: r[0],
        ),
    ),
    min_size=1,
    max_size=5,
)


@settings(max_examples=12, deadline=None)
@given(operations=OPERATIONS)
def test_random_write_sequences_match_a_model(tmp_path_factory, operations):
    from odibi_core.connections.local import LocalConnection
    from odibi_core.contracts.requests import ReadRequest
    from odibi_format_delta.format import DeltaFormat

    root = tmp_path_factory.mktemp("lake")
    lake, delta = LocalConnection("lake", root), DeltaFormat()
    model: list[tuple[int, int]] = []
    for mode, batch in operations:
        data = pa.table({"id": [r[0] for r in batch], "v": [r[1] for r in batch]})
        delta.write_arrow(
            data.to_reader(), lake, WriteRequest(mode=mode, format="delta", path="t", keys=("id",))
        )
        if mode == "overwrite":
            model = list(batch)
        elif mode == "append":
            model += batch
        else:
            new = dict(batch)  # every target row with a key of the source is updated
            known = {k for k, _ in model}
            model = [(k, new[k]) if k in new else (k, v) for k, v in model]
            model += [(k, v) for k, v in new.items() if k not in known]
    table = delta.read_arrow(lake, ReadRequest(format="delta", path="t")).read_all()
    assert sorted(zip(table["id"].to_pylist(), table["v"].to_pylist(), strict=False)) == sorted(
        model
    )
    assert open_table(lake, "t").version() == len(operations) - 1
