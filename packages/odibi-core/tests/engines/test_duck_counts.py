"""Row counts the duckdb engine knows without reading data: tables, and plain Parquet reads
(counted from the files' footers). A CSV read or a filtered read is counted by whoever computes
it."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from odibi_core.connections.local import LocalConnection
from odibi_core.contracts.engine import ReadRequest
from odibi_core.engines.duckdb_engine import DuckDBEngine


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sizes=st.lists(st.integers(0, 300), min_size=1, max_size=4))
def test_a_plain_parquet_read_is_counted_from_its_footers(tmp_path: Path, sizes: list[int]) -> None:
    folder = tmp_path / f"data-{'-'.join(map(str, sizes))}"
    folder.mkdir(exist_ok=True)
    for i, size in enumerate(sizes):
        pq.write_table(pa.table({"id": list(range(size))}), folder / f"part-{i}.parquet")
    engine = DuckDBEngine()
    try:
        lake = LocalConnection("lake", tmp_path)
        frame = engine.read(lake, ReadRequest(format="parquet", path=f"{folder.name}/*.parquet"))
        assert engine.cheap_count(frame) == sum(sizes)
        filtered = engine.read(lake, ReadRequest(format="parquet", path=f"{folder.name}/*.parquet",
                                                 incremental_column="id", incremental_after=5))
        assert engine.cheap_count(filtered) is None  # a filter needs the data
    finally:
        engine.close()


def test_a_csv_read_is_not_counted_for_free(tmp_path: Path) -> None:
    (tmp_path / "t.csv").write_text("id\n1\n2\n", encoding="utf-8")
    engine = DuckDBEngine()
    try:
        raw = LocalConnection("raw", tmp_path)
        frame = engine.read(raw, ReadRequest(format="csv", path="t.csv"))
        assert engine.cheap_count(frame) is None
        assert engine.count(frame) == 2
    finally:
        engine.close()


def test_the_summary_shows_rows_of_a_parquet_read_node(tmp_path: Path) -> None:
    from odibi_core.testing.cli import invoke_odibi

    (tmp_path / "lake").mkdir()
    pq.write_table(pa.table({"id": list(range(7))}), tmp_path / "lake" / "in.parquet")
    project = tmp_path / "odibi.yaml"
    project.write_text(
        "project: counts\n"
        "connections:\n  lake: {type: local, base_path: ./lake}\n"
        "pipelines:\n  - pipeline: p\n    nodes:\n"
        "      - name: src\n        read: {connection: lake, format: parquet, path: in.parquet}\n"
        "      - name: out\n        depends_on: [src]\n        transform:\n          steps:\n"
        "            - SELECT id FROM src WHERE id > 2\n"
        "        write: {connection: lake, format: parquet, path: out.parquet}\n",
        encoding="utf-8",
    )
    result = invoke_odibi(["run", str(project)])
    assert result.exit_code == 0, result.stdout + result.stderr
    lines = {line.split()[0]: line for line in result.stdout.splitlines() if line.startswith("  ")}
    assert "7 rows" in lines["src"], result.stdout
    assert "4 rows" in lines["out"], result.stdout
