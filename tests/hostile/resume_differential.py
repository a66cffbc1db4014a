"""Helpers of the resume differential test: project copies, random edits, in-process runs, and
the comparison of a resumed project with a fresh run of the same files in a clean copy."""

from __future__ import annotations

import importlib.util
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[2]

EDIT_KINDS = ("change_input", "edit_sql", "delete_output", "fail_node", "add_node")
"""The edits the differential test applies (each picks its target from a drawn number)."""

CHAIN_PROJECT = """
project: chain
connections:
  raw: {type: local, base_path: ./data}
  lake: {type: local, base_path: ./lake}
pipelines:
  - pipeline: chain
    nodes:
      - name: people
        read: {connection: raw, path: people.csv}
      - name: cities
        read: {connection: raw, path: cities.json}
      - name: adults                    # a node without output: its frame cannot be read back
        depends_on: [people]
        transform: {steps: ["SELECT name, city, age FROM people WHERE age >= 18"]}
      - name: joined                    # CSV output: read back it would lose its types
        depends_on: [adults, cities]
        transform:
          steps: ["SELECT a.name, a.age, c.country FROM adults a JOIN cities c USING (city)"]
        write: {connection: lake, path: joined.csv}
      - name: by_country
        depends_on: [joined]
        transform:
          steps: ["SELECT country, count(*) AS n, sum(age) AS ages FROM joined GROUP BY country"]
        write: {connection: lake, path: by_country.parquet}
      - name: report
        depends_on: [by_country]
        write: {connection: lake, path: report.json}
      - name: copy
        depends_on: [people]
        write: {connection: lake, path: people.parquet}
"""

CHAIN_FILES = {
    "data/people.csv": "name,city,age\nAda,Lagos,36\nBo,Oslo,17\nCy,Lagos,52\nDee,Lima,29\n",
    "data/cities.json": '{"city": "Lagos", "country": "NG"}\n{"city": "Oslo", "country": "NO"}\n'
    '{"city": "Lima", "country": "PE"}\n',
}


def _module(path: Path, name: str) -> ModuleType:
    import sys

    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@dataclass
class ExampleProject:
    """A project the differential test edits: where it comes from and how to lay it out."""

    name: str
    make: Callable[[Path], None]


def _copy_folder(source: Path) -> Callable[[Path], None]:
    def make(target: Path) -> None:
        shutil.copytree(
            source, target, ignore=shutil.ignore_patterns("lake", "out", ".odibi", "__pycache__")
        )

    return make


def _edge_project(target: Path) -> None:
    _copy_folder(REPO / "tests" / "engines" / "edge_project")(target)
    _module(
        REPO / "tests" / "engines" / "test_parity.py", "odibi_parity_for_resume"
    ).make_edge_data(target / "data")


def _resume_fixture(target: Path) -> None:
    fixture = _module(REPO / "tests" / "state" / "test_resume_cli.py", "odibi_resume_fixture")
    _write_files(
        target,
        {
            "odibi.yaml": fixture.PROJECT,
            "transforms.py": fixture.TRANSFORMS,
            "data/orders.csv": "order_id,amount\n1,10\n2,-1\n3,5\n",
            "data/regions.csv": "region\nnorth\nsouth\n",
        },
    )


def _chain(target: Path) -> None:
    _write_files(target, {"odibi.yaml": CHAIN_PROJECT, **CHAIN_FILES})


def _write_files(target: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = target / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


PROJECTS = [
    ExampleProject("quickstart", _copy_folder(REPO / "examples" / "quickstart")),
    ExampleProject("edge_project", _edge_project),
    ExampleProject("resume_fixture", _resume_fixture),
    ExampleProject("chain", _chain),
]


@dataclass
class Workspace:
    """A project copy being edited, with what the edits need to remember."""

    root: Path
    edits: int = 0
    failing: dict[str, Any] = field(default_factory=dict)

    @property
    def yaml_path(self) -> Path:
        return self.root / "odibi.yaml"

    def config(self) -> dict[str, Any]:
        return yaml.safe_load(self.yaml_path.read_text())  # type: ignore[no-any-return]

    def save(self, config: dict[str, Any]) -> None:
        self.yaml_path.write_text(yaml.safe_dump(config, sort_keys=False))

    def nodes(self, config: dict[str, Any]) -> list[dict[str, Any]]:
        return [n for p in config["pipelines"] for n in p["nodes"]]

    def folder_of(self, config: dict[str, Any], connection: str) -> Path:
        return (self.root / config["connections"][connection].get("base_path", ".")).resolve()

    def output_folders(self) -> set[str]:
        """Names of the folders outputs are written to (left out of a clean copy)."""
        config = self.config()
        return {
            self.folder_of(config, n["write"]["connection"]).name
            for n in self.nodes(config)
            if n.get("write")
        }


def prepare(workspace: Workspace) -> None:
    """No reports (they cost time and are not compared), and ``on_error: continue`` everywhere:
    with ``fail_fast`` which nodes had started when a failure stopped the run is a matter of
    timing, so two runs could differ without either being wrong."""
    config = workspace.config()
    config["reports"] = {"enabled": False}
    for pipeline in config["pipelines"]:
        pipeline["on_error"] = "continue"
    workspace.save(config)


def apply_edit(workspace: Workspace, kind: str, pick: int) -> str:
    """Apply one edit; return what was done (for the failure message)."""
    config = workspace.config()
    nodes = workspace.nodes(config)
    workspace.edits += 1
    n = workspace.edits
    if kind == "change_input":
        readers = [x for x in nodes if x.get("read", {}).get("path")]
        node = readers[pick % len(readers)]
        path = workspace.folder_of(config, node["read"]["connection"]) / node["read"]["path"]
        _grow_input(path)
        return f"changed input {path.name}"
    if kind == "edit_sql":
        steps = [
            (x, s)
            for x in nodes
            for s in (x.get("transform") or {}).get("steps", [])
            if isinstance(s, str) or "sql" in s
        ]
        if not steps:
            return "no SQL step to edit"
        node, step = steps[pick % len(steps)]
        sql = (step if isinstance(step, str) else step["sql"]).strip().rstrip(";")
        edited = f"SELECT *, {n} AS odibi_edit_{n} FROM ({sql}) AS odibi_edit"
        node_steps = node["transform"]["steps"]
        node_steps[node_steps.index(step)] = {"sql": edited}
        workspace.save(config)
        return f"edited the SQL of {node['name']}"
    if kind == "delete_output":
        writers = [x for x in nodes if x.get("write")]
        node = writers[pick % len(writers)]
        target = workspace.folder_of(config, node["write"]["connection"]) / node["write"]["path"]
        if target.is_dir():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()
        return f"deleted the output of {node['name']}"
    if kind == "fail_node":
        node = nodes[pick % len(nodes)]
        name = node["name"]
        if name in workspace.failing:  # toggle: the failure is fixed again
            original = workspace.failing.pop(name)
            if original is None:
                node.pop("validation", None)
            else:
                node["validation"] = original
            workspace.save(config)
            return f"fixed {name}"
        workspace.failing[name] = node.get("validation")
        node["validation"] = {**(node.get("validation") or {}), "row_count": {"min": 10**9}}
        workspace.save(config)
        return f"made {name} fail"
    if kind == "add_node":
        parent = nodes[pick % len(nodes)]
        writer = next(x for x in nodes if x.get("write"))
        nodes_list = config["pipelines"][0]["nodes"]
        nodes_list.append(
            {
                "name": f"added_{n}",
                "depends_on": [parent["name"]],
                "transform": {"steps": [f"SELECT * FROM {parent['name']}"]},
                "write": {
                    "connection": writer["write"]["connection"],
                    "path": f"added_{n}.parquet",
                },
            }
        )
        workspace.save(config)
        return f"added a node after {parent['name']}"
    raise AssertionError(kind)


def _grow_input(path: Path) -> None:
    """Append a copy of the last row (a real change of data, new size and modification time)."""
    if path.suffix == ".parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        table = pq.read_table(path)
        pq.write_table(pa.concat_tables([table, table.slice(max(table.num_rows - 1, 0))]), path)
        return
    lines = path.read_text().splitlines()
    path.write_text("\n".join([*lines, lines[-1]]) + "\n")


def run(root: Path, *, resume: bool) -> dict[str, Any]:
    """Run the project in ``root`` in this process; the node results by name."""
    import odibi_state_local
    from odibi_core.config.loader import load_project
    from odibi_core.execution.runner import RunOptions, run_project
    from odibi_core.plugins.loader import PluginSettings
    from odibi_core.plugins.manager import create_plugin_manager

    pm = create_plugin_manager(
        PluginSettings(),
        extra_plugins=[("odibi-state-local", odibi_state_local)],
        load_entry_points=False,
    )
    results = run_project(
        load_project(root / "odibi.yaml", pm=pm), pm, RunOptions(resume=resume, workers=2)
    )
    return {name: node for result in results for name, node in result.nodes.items()}


def clean_copy(workspace: Workspace, target: Path) -> Workspace:
    """The project's files and inputs, without outputs, state or reports."""
    ignored = {*workspace.output_folders(), ".odibi", "__pycache__"}
    shutil.copytree(
        workspace.root, target, ignore=lambda folder, names: [n for n in names if n in ignored]
    )
    return Workspace(target)


def read_output(path: Path) -> Any:
    """An output as comparable data: column names and types and the rows (sorted canonically) of
    a Parquet file, else the bytes. Parquet's "required" flag is left out: DuckDB sets it from
    statistics, which differ when a frame is materialised for a second consumer (the same
    project gains a consumer of a node, resumed or not), while the data are the same."""
    if path.suffix == ".parquet":
        import pyarrow.parquet as pq

        table = pq.read_table(path)
        columns = [(f.name, str(f.type)) for f in table.schema]
        return (columns, sorted(map(repr, table.to_pylist())))
    return path.read_bytes()


def compare(
    resumed: Workspace,
    fresh: Workspace,
    resumed_nodes: dict[str, Any],
    fresh_nodes: dict[str, Any],
    history: list[str],
) -> None:
    """Statuses agree, and every output the fresh run wrote is identical in the resumed copy."""
    config = fresh.config()
    writes = {x["name"]: x["write"] for x in fresh.nodes(config) if x.get("write")}
    assert set(resumed_nodes) == set(fresh_nodes), history
    for name, node in fresh_nodes.items():
        got = resumed_nodes[name]
        if node.status == "success":
            assert got.status in ("success", "unchanged"), (name, got.status, history)
        else:
            assert got.status == node.status, (name, got.status, node.status, history)
        if node.status == "success" and name in writes:
            write = writes[name]
            a = resumed.folder_of(config, write["connection"]) / write["path"]
            b = fresh.folder_of(config, write["connection"]) / write["path"]
            assert a.exists(), (name, "output missing after resume", history)
            assert read_output(a) == read_output(b), (
                name,
                "output differs from a fresh run",
                history,
            )
