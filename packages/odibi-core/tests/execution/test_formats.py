"""Plugin formats through the kernel alone: a toy ``feather`` format (the hookspec's example)
works on both builtin engines, its options are checked at load time, and a file connection
served by an fsspec filesystem is read and written by DuckDB through it."""

from __future__ import annotations

import sys
import types
import uuid

import pytest
from odibi_core import hookimpl
from odibi_core.config.loader import build_project, read_project_source
from odibi_core.connections.local import LocalConnection
from odibi_core.contracts.formats import TableFormat
from odibi_core.errors import ConfigError
from odibi_core.execution.runner import run_project
from odibi_core.plugins.options import PluginOptions
from odibi_core.plugins.types import ConnectionSpec, FormatSpec


class FeatherReadOptions(PluginOptions):
    columns: list[str] | None = None


class Feather(TableFormat):
    name = "feather"

    def read_arrow(self, connection, request):
        import pyarrow.feather as feather

        columns = (request.options or {}).get("columns")
        return feather.read_table(connection.resolve(request.path), columns=columns).to_reader()

    def write_arrow(self, reader, connection, request):
        import pyarrow.feather as feather

        table = reader.read_all()
        staging = connection.staging_path(request.path)
        feather.write_feather(table, staging)
        connection.publish(staging, request.path)
        return table.num_rows


class MemoryConnection(LocalConnection):
    """Files in an fsspec in-memory filesystem (what an object-store connection looks like)."""

    type = "memory"

    def __init__(self, name, root):
        from fsspec.implementations.memory import MemoryFileSystem

        super().__init__(name, root)
        self.fs = MemoryFileSystem()
        self.prefix = f"/{uuid.uuid4().hex}"

    def resolve(self, path):
        return f"memory://{self.prefix}/{path}"

    def read_paths(self, path):  # the reader expands globs itself, as on an object store
        return [self.resolve(path)]

    def clean_stale(self, path):
        return []

    def exists(self, path):
        return bool(self.fs.glob(f"{self.prefix}/{path}"))

    def staging_path(self, path):
        return f"memory://{self.prefix}/.{path}.tmp"

    def publish(self, staging, path):
        self.fs.mv(staging.removeprefix("memory://"), f"{self.prefix}/{path}")

    def discard(self, staging):
        self.fs.rm(staging.removeprefix("memory://"), recursive=True)

    def fsspec_filesystem(self):
        return self.fs


def _plugin():
    module = types.ModuleType("odibi_test_formats")

    @hookimpl
    def odibi_formats():
        return [FormatSpec("feather", Feather, FeatherReadOptions, None, "Arrow IPC files")]

    @hookimpl
    def odibi_connections():
        return [
            ConnectionSpec(
                "memory",
                lambda options, ctx: MemoryConnection(ctx.name, ctx.project_dir),
                None,
                "in memory",
                frozenset({"fsspec"}),
            )
        ]

    module.odibi_formats = odibi_formats
    module.odibi_connections = odibi_connections
    sys.modules[module.__name__] = module
    return module


PROJECT = """\
project: formats
engine: {engine}
connections:
  raw: {{type: local, base_path: ./data}}
  mem: {{type: memory}}
pipelines:
  - pipeline: p
    nodes:
      - name: to_feather
        read: {{connection: raw, path: orders.csv}}
        write: {{connection: raw, path: orders.arrow, format: feather}}
      - name: from_feather
        depends_on: [to_feather]
        read: {{connection: raw, path: orders.arrow, format: feather, options: {{columns: [id]}}}}
        write: {{connection: mem, path: ids.parquet}}
      - name: from_memory
        depends_on: [from_feather]
        read: {{connection: mem, path: "*.parquet"}}
        write: {{connection: raw, path: ids.csv}}
"""


@pytest.mark.parametrize("engine", ["duckdb"])
def test_a_plugin_format_and_an_fsspec_connection_on_every_engine(
    write_project, make_plugin_manager, engine
):
    path = write_project(
        PROJECT.format(engine=engine), files={"data/orders.csv": "id,v\n1,a\n2,b\n"}
    )
    pm = make_plugin_manager(("odibi-test-formats", _plugin()))
    project = build_project(read_project_source(path), pm)
    result = run_project(project, pm)[0]
    assert result.status == "success", result.nodes
    assert [result.nodes[n].rows_out for n in ("to_feather", "from_feather", "from_memory")] == [
        2,
        2,
        2,
    ]
    assert (path.parent / "data/ids.csv").read_text().splitlines() == ["id", "1", "2"]


def test_format_options_and_modes_are_checked_at_load_time(write_project, make_plugin_manager):
    pm = make_plugin_manager(("odibi-test-formats", _plugin()))
    bad_option = PROJECT.format(engine="duckdb").replace(
        "options: {columns: [id]}", "options: {colums: [id]}"
    )
    with pytest.raises(ConfigError, match=r"read\.options\.colums.*did you mean 'columns'"):
        build_project(read_project_source(write_project(bad_option)), pm)
    bad_mode = PROJECT.format(engine="duckdb").replace(
        "format: feather}", "format: feather, mode: upsert, keys: [id]}"
    )
    with pytest.raises(ConfigError, match="format 'feather' does not support mode 'upsert'"):
        build_project(read_project_source(write_project(bad_mode)), pm)
