"""A third-party connection plugin, outside this repository, runs the contract suite in its own
pytest session: installed into the environment, with nothing of this repository's scripts,
services or configuration."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

PYPROJECT = """\
[build-system]
requires = ["hatchling>=1.24"]
build-backend = "hatchling.build"

[project]
name = "odibi-arrowdir-example"
version = "0.0.1"
dependencies = ["odibi-core[testing]"]

[project.entry-points."odibi.plugins"]
arrowdir = "odibi_arrowdir.plugin"

[tool.hatch.build.targets.wheel]
packages = ["src/odibi_arrowdir"]
"""

PLUGIN = '''
"""A table connection keeping each table as an Arrow IPC file in a folder."""

from __future__ import annotations

import os
import re
import uuid
from pathlib import Path

from odibi_core.contracts.connection import TableConnection
from odibi_core.errors import ConfigError, OdibiError
from odibi_core.plugins.hookspecs import hookimpl
from odibi_core.plugins.options import PluginOptions
from odibi_core.plugins.types import ConnectionSpec

NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")


class ArrowDirOptions(PluginOptions):
    folder: str


class ArrowDirConnection(TableConnection):
    type = "arrowdir"

    def __init__(self, name, root):
        self.name, self.root = name, root

    def _file(self, table):
        if not table or not NAME.fullmatch(table):
            raise ConfigError(f"table {table!r}: letters, digits and _ only")
        return self.root / f"{table}.arrow"

    def read_arrow(self, request):
        import pyarrow as pa

        if request.query or request.incremental_column or request.options:
            raise OdibiError("arrowdir reads whole tables only")
        with pa.memory_map(str(self._file(request.table))) as source:
            table = pa.ipc.open_file(source).read_all()
        return table.to_reader()

    def write_arrow(self, reader, request):
        import pyarrow as pa

        target = self._file(request.table)
        if request.mode not in ("overwrite", "append", "error"):
            raise OdibiError(f"arrowdir cannot write mode {request.mode!r}")
        if request.mode == "error" and target.exists():
            raise OdibiError(f"table {request.table} exists and write mode is 'error'")
        self.root.mkdir(parents=True, exist_ok=True)
        table = reader.read_all()
        written = table.num_rows
        if request.mode == "append" and target.exists():
            with pa.memory_map(str(target)) as source:
                table = pa.concat_tables([pa.ipc.open_file(source).read_all(), table])
        staging = target.with_name(f".{target.name}.{uuid.uuid4().hex}")
        try:
            with pa.OSFile(str(staging), "wb") as sink, pa.ipc.new_file(sink, table.schema) as out:
                out.write_table(table)
            os.replace(staging, target)
        finally:
            staging.unlink(missing_ok=True)
        return written

    def exists(self, request):
        return self._file(request.table).exists()


def build(options, context):
    return ArrowDirConnection(context.name, context.project_dir / options.folder)


@hookimpl
def odibi_connections():
    return [ConnectionSpec("arrowdir", build, ArrowDirOptions, "Arrow IPC files in a folder")]
'''

CONTRACT_TEST = """
import pytest

import odibi_arrowdir.plugin
from odibi_core.testing.connection_contract import TableConnectionContractTests


class TestArrowDirContract(TableConnectionContractTests):
    connection_type = "arrowdir"
    plugin = odibi_arrowdir.plugin
    capabilities = frozenset({"table"})
    write_modes = frozenset({"overwrite", "append", "error"})

    @pytest.fixture
    def connection_options(self, tmp_path):
        return {"folder": str(tmp_path / "data")}
"""


@pytest.fixture
def plugin_project(tmp_path: Path) -> Iterator[Path]:
    """The example plugin's source tree, installed (editable) into this environment, and
    uninstalled after the test."""
    root = tmp_path / "odibi-arrowdir-example"
    (root / "src" / "odibi_arrowdir").mkdir(parents=True)
    (root / "tests").mkdir()
    (root / "pyproject.toml").write_text(PYPROJECT)
    (root / "src" / "odibi_arrowdir" / "__init__.py").write_text("")
    (root / "src" / "odibi_arrowdir" / "plugin.py").write_text(textwrap.dedent(PLUGIN))
    (root / "tests" / "test_contract.py").write_text(textwrap.dedent(CONTRACT_TEST))
    assert REPO not in root.resolve().parents, "the plugin must live outside this repository"
    uv = Path(sys.executable).with_name("uv")
    pip = [str(uv), "pip"] if uv.exists() else [sys.executable, "-m", "pip"]
    target = ["--python", sys.executable] if uv.exists() else []
    done = subprocess.run(
        [*pip, "install", *target, "--no-deps", "-e", str(root)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    try:
        yield root
    finally:
        subprocess.run(
            [
                *pip,
                "uninstall",
                *target,
                *([] if uv.exists() else ["--yes"]),
                "odibi-arrowdir-example",
            ],
            check=False,
            capture_output=True,
            timeout=300,
        )


def test_a_third_party_plugin_runs_the_connection_contract_suite_in_its_own_repository(
    plugin_project: Path,
) -> None:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("ODIBI_TEST_", "PYTEST_", "COV_")) and k != "PYTHONPATH"
    }
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
        cwd=plugin_project,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    passed = re.search(r"(\d+) passed", done.stdout)
    assert passed is not None, done.stdout[-2000:]
    assert int(passed.group(1)) >= 20  # every contract test ran there (capabilities included)
    assert "failed" not in done.stdout
    assert "skipped" not in done.stdout
    assert str(REPO) not in done.stdout  # its rootdir and config are its own
    listed = subprocess.run(
        [sys.executable, "-m", "odibi_core.cli.main", "plugins", "list"],
        cwd=plugin_project,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "arrowdir" in listed.stdout, listed.stdout + listed.stderr
