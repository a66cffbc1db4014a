"""Every format and write mode on an ``azure_blob`` connection, both builtin engines, run in
this process against Azurite: csv, parquet, json and delta; overwrite, append, error; globs and
hive-partitioned folders; upsert into a Delta table in the container."""

from __future__ import annotations

import io

import pytest
from odibi_core.config.loader import load_project, read_project_source
from odibi_core.execution.runner import run_project
from odibi_core.plugins.manager import create_plugin_manager

ORDERS = "id,region,amount\n1,EU,10\n2,US,20\n3,EU,30\n"


def run(path):
    project = load_project(path)
    return run_project(project, create_plugin_manager(read_project_source(path).plugin_settings()))[
        0
    ]


def read_back(container, name: str, fmt: str) -> list[tuple]:
    import duckdb

    data = container.download_blob(name).readall()
    con = duckdb.connect()
    if fmt == "parquet":
        import pyarrow.parquet as pq

        table = pq.read_table(io.BytesIO(data))
    else:
        import pyarrow as pa
        import pyarrow.csv as pcsv
        import pyarrow.json as pjson

        table = (
            pcsv.read_csv(io.BytesIO(data)) if fmt == "csv" else pjson.read_json(io.BytesIO(data))
        )
        table = pa.table({c: table[c] for c in ("id", "region", "amount")})
    con.register("t", table)
    return con.execute("SELECT id, region, amount FROM t ORDER BY id").fetchall()


@pytest.mark.parametrize(
    ("engine", "fmt"),
    [("duckdb", "csv"), ("duckdb", "parquet"), ("duckdb", "json"), ("pandas", "parquet")],
)
def test_file_formats_every_mode(azure_project, container, engine, fmt):
    # both engines read and write files through the same DuckDB readers and COPY: every format
    # on duckdb, the pandas engine's own conversion once
    nodes = f"""\
    - name: up
      read: {{connection: raw, path: orders.csv}}
      write: {{connection: az, path: out/orders.{fmt}, mode: MODE}}
    - name: back
      depends_on: [up]
      read: {{connection: az, path: "out/*.{fmt}"}}
      write: {{connection: raw, path: back.parquet}}
    """
    project = azure_project(
        nodes.replace("MODE", "overwrite"), engine=engine, files={"orders.csv": ORDERS}
    )
    result = run(project)
    assert result.status == "success", result.nodes
    assert result.nodes["back"].rows_out == 3
    assert read_back(container, f"out/orders.{fmt}", fmt) == [
        (1, "EU", 10),
        (2, "US", 20),
        (3, "EU", 30),
    ]
    project.write_text(project.read_text().replace("mode: overwrite", "mode: append"))
    assert run(project).nodes["up"].status == "success"
    assert len(read_back(container, f"out/orders.{fmt}", fmt)) == 6
    project.write_text(project.read_text().replace("mode: append", "mode: error"))
    failed = run(project)
    assert failed.nodes["up"].status == "failed"
    assert "already exists" in failed.nodes["up"].error
    assert len(read_back(container, f"out/orders.{fmt}", fmt)) == 6
    assert sorted(b.name for b in container.list_blobs()) == [
        f"out/orders.{fmt}"
    ]  # no staging left


def test_hive_partitioned_folders_and_globs(azure_project, container):
    import pyarrow as pa
    import pyarrow.parquet as pq

    for region, ids in (("EU", [1, 3]), ("US", [2])):
        buffer = io.BytesIO()
        pq.write_table(pa.table({"id": ids}), buffer)
        container.upload_blob(f"sales/region={region}/part-0.parquet", buffer.getvalue())
    nodes = """\
    - name: sales
      read: {connection: az, path: "sales/*/*.parquet", options: {hive_partitioning: true}}
      transform: {steps: ["SELECT region, count(*) AS n FROM this GROUP BY region ORDER BY region"]}
      write: {connection: raw, path: counts.csv}
    """
    project = azure_project(nodes)
    assert run(project).status == "success"
    assert (project.parent / "data/counts.csv").read_text().splitlines() == [
        "region,n",
        "EU,2",
        "US,1",
    ]


@pytest.mark.parametrize("engine", ["duckdb", "pandas"])
def test_delta_table_in_the_container(azure_project, container, engine):
    nodes = """\
    - name: orders
      read: {connection: raw, path: orders.csv}
      write: {connection: az, path: tables/orders, format: delta, mode: upsert, keys: [id],
              options: {partition_by: [region]}}
    - name: eu
      depends_on: [orders]
      read: {connection: az, path: tables/orders, format: delta,
             options: {partition_filter: [[region, "=", EU]]}}
      write: {connection: raw, path: eu.csv}
    """
    project = azure_project(nodes, engine=engine, files={"orders.csv": ORDERS})
    assert run(project).status == "success"
    (project.parent / "data/orders.csv").write_text("id,region,amount\n3,EU,33\n4,EU,44\n")
    result = run(project)
    assert result.status == "success", result.nodes
    assert result.nodes["eu"].rows_out == 3
    # a third commit: delta-rs finds new commits by a listing Azurite only serves in emulator mode
    assert run(project).nodes["orders"].status == "success"
    names = [b.name for b in container.list_blobs(name_starts_with="tables/orders/")]
    assert any(n.startswith("tables/orders/_delta_log/") for n in names)
    assert any("/region=EU/" in n for n in names)
