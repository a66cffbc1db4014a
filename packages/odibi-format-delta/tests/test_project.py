"""Delta in a project: load-time checks of options and modes, runs on both builtin engines,
``--resume`` reading a Delta output back, the Spark path's validate-time message."""

from __future__ import annotations

import time
from types import SimpleNamespace

import pytest
from odibi_core.config.loader import load_project
from odibi_core.errors import ConfigError, PluginError
from odibi_core.execution.runner import RunOptions, run_project
from odibi_format_delta.spark import DELTA_EXTENSION, SparkDeltaPath

PROJECT = """\
project: shop
engine: {engine}
connections:
  raw: {{type: local, base_path: ./data}}
  lake: {{type: local, base_path: ./lake}}
pipelines:
  - pipeline: p
    nodes:
      - name: orders
        read: {{connection: raw, path: orders.csv}}
        write: {write}
      - name: eu
        depends_on: [orders]
        read: {{connection: lake, path: orders, format: delta,
               options: {{partition_filter: [[region, "=", EU]], columns: [id, amount]}}}}
        write: {{connection: lake, path: eu.parquet}}
"""
UPSERT = (
    "{connection: lake, path: orders, format: delta, mode: upsert, keys: [id], "
    "options: {partition_by: [region]}}"
)
ORDERS = "id,region,amount\n1,EU,10\n2,US,20\n3,EU,30\n"


@pytest.mark.parametrize("engine", ["duckdb", "pandas"])
def test_upsert_then_read_back_on_every_builtin_engine(write_project, engine):
    path = write_project(
        PROJECT.format(engine=engine, write=UPSERT), files={"data/orders.csv": ORDERS}
    )
    project = load_project(path)
    first = run_project(project, _pm(path))
    assert first[0].status == "success", first[0].nodes
    assert first[0].nodes["eu"].rows_out == 2
    (path.parent / "data/orders.csv").write_text("id,region,amount\n3,EU,33\n4,EU,40\n")
    second = run_project(load_project(path), _pm(path))
    assert second[0].nodes["orders"].rows_out == 2
    assert second[0].nodes["eu"].rows_out == 3
    import duckdb

    got = duckdb.sql(
        f"SELECT id, amount FROM '{path.parent / 'lake/eu.parquet'}' ORDER BY id"
    ).fetchall()
    assert got == [(1, 10), (3, 33), (4, 40)]


OVERWRITE = "{connection: lake, path: orders, format: delta}"


@pytest.mark.parametrize(
    ("write", "orders_status"),
    [
        (OVERWRITE, "unchanged"),  # the table is exactly the node's frame: read back
        (UPSERT, "success"),  # the table keeps earlier rows: not the frame, so orders reruns
    ],
)
def test_resume_reads_a_delta_output_back_only_when_it_is_the_frame(
    write_project, write, orders_status
):
    read_back = (
        "        read: {connection: lake, path: orders, format: delta,\n"
        '               options: {partition_filter: [[region, "=", EU]], columns: [id, amount]}}\n'
    )
    step = "        transform: {steps: [\"SELECT id, amount FROM orders WHERE region = 'EU'\"]}\n"
    yaml = PROJECT.format(engine="duckdb", write=write).replace(read_back, step)
    assert step in yaml
    path = write_project(yaml, files={"data/orders.csv": ORDERS})
    time.sleep(0.3)  # past the racy window in which a just-written input has no fingerprint
    assert run_project(load_project(path), _pm(path))[0].status == "success"
    (path.parent / "lake/eu.parquet").unlink()
    again = run_project(load_project(path), _pm(path), RunOptions(resume=True))[0]
    assert again.nodes["orders"].status == orders_status
    assert again.nodes["eu"].status == "success"
    assert again.nodes["eu"].rows_out == 2


def _pm(path):
    from odibi_core.config.loader import read_project_source
    from odibi_core.plugins.manager import create_plugin_manager

    return create_plugin_manager(read_project_source(path).plugin_settings())


@pytest.mark.parametrize(
    ("write", "message"),
    [
        (
            "{connection: lake, path: o, format: delta, mode: append, "
            'options: {replace_where: "x = 1"}}',
            r"write\.options: replace_where needs mode overwrite \(mode is append\)",
        ),
        (
            "{connection: lake, path: o, format: delta, mode: merge, keys: [id]}",
            "mode merge needs at least one of when_matched_update",
        ),
        (
            "{connection: lake, path: o, format: delta, mode: upsert, keys: [id], "
            "options: {when_matched_delete: true}}",
            "when_matched_delete need mode merge",
        ),
        (
            "{connection: lake, path: o, format: delta, options: {partiton_by: [a]}}",
            "partiton_by.*did you mean 'partition_by'",
        ),
        (
            "{connection: lake, path: o.csv, mode: merge, keys: [id]}",
            "mode merge needs a table format",
        ),
    ],
)
def test_bad_write_sections_fail_at_load_time_with_their_key(write_project, write, message):
    path = write_project(
        PROJECT.format(engine="duckdb", write=write), files={"data/orders.csv": ORDERS}
    )
    with pytest.raises(ConfigError, match=message) as info:
        load_project(path)
    assert "odibi.yaml:" in info.value.message


def test_unknown_format_names_the_installed_ones(write_project):
    path = write_project(
        PROJECT.format(engine="duckdb", write="{connection: lake, path: o, format: detla}")
    )
    with pytest.raises(
        PluginError,
        match=r"unknown format 'detla' \(did you mean 'delta'\?\).*csv, parquet, json, delta",
    ):
        load_project(path)


def test_spark_without_delta_says_what_to_install():
    problem = SparkDeltaPath().problem(SimpleNamespace(conf={}, use_active_session=False))
    assert problem is not None
    assert "pip install delta-spark" in problem
    assert "spark.sql.extensions" in problem
    configured = SimpleNamespace(
        conf={"spark.sql.extensions": DELTA_EXTENSION}, use_active_session=False
    )
    assert SparkDeltaPath().problem(configured) is None
