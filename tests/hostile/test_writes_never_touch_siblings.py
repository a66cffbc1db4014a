"""Promise: a write replaces its own target and nothing else (item 1 of the hostile review).

A folder output (``partition_by``) is published whole and atomically; it can never be the
connection's root, climb out of its connection, or sit over another node's output.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import duckdb

from .conftest import odibi, temp_names, tree

PROJECT = """\
project: siblings
connections:
  raw: {type: local, base_path: ./data}
  lake: {type: local, base_path: ./lake}
reports: {enabled: false}
pipelines:
  - pipeline: p
    nodes:
      - name: orders
        read: {connection: raw, path: orders.csv}
        write: {connection: lake, path: orders.parquet}
      - name: by_region
        depends_on: [orders]
        write: {connection: lake, path: "TARGET", format: parquet, options: {partition_by: region}}
"""


def orders(regions: list[str]) -> dict[str, str]:
    return {"data/orders.csv": "id,region\n" + "".join(f"{i},{r}\n" for i, r in enumerate(regions))}


def test_a_folder_write_to_the_connection_root_is_refused_and_deletes_nothing(
    project: Callable[..., Path],
) -> None:
    root = project(PROJECT.replace("TARGET", "."), orders(["north", "south"]))
    (root / "lake").mkdir()
    (root / "lake" / "orders.parquet").write_bytes(b"an earlier run's output")
    before = tree(root)
    for command in ("validate", "run"):
        result = odibi(command, cwd=root)
        assert result.returncode == 3, result.stderr
        assert (
            "odibi.yaml:14: pipelines[0].nodes[1].write.path: path '.' of connection 'lake' is the "
            "connection's base folder itself" in result.stderr
        )
    assert tree(root) == before


def test_a_write_climbing_out_of_its_connection_never_moves_the_project(
    project: Callable[..., Path],
) -> None:
    root = project(PROJECT.replace("TARGET", "../../proj"), orders(["north"]))
    before = tree(root.parent)
    result = odibi("run", cwd=root)
    assert result.returncode == 3
    assert (
        "path '../../proj' of connection 'lake' climbs out of the connection's base folder"
        in result.stderr
    )
    assert tree(root.parent) == before
    assert [p.name for p in root.parent.iterdir()] == ["proj"]


def test_a_partitioned_folder_is_replaced_whole_and_its_siblings_are_untouched(
    project: Callable[..., Path],
) -> None:
    root = project(PROJECT.replace("TARGET", "by_region"), orders(["north", "south", "east"]))
    (root / "lake").mkdir()
    (root / "lake" / "notes.txt").write_text("a user's file beside the outputs")
    assert odibi("run", cwd=root).returncode == 0
    assert sorted(p.name for p in (root / "lake" / "by_region").iterdir()) == [
        "region=east",
        "region=north",
        "region=south",
    ]
    (root / "data" / "orders.csv").write_text("id,region\n1,west\n2,north\n")
    result = odibi("run", cwd=root)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in (root / "lake" / "by_region").iterdir()) == [
        "region=north",
        "region=west",
    ]
    assert (root / "lake" / "notes.txt").read_text() == "a user's file beside the outputs"
    rows = duckdb.sql(f"SELECT count(*) FROM read_parquet('{root}/lake/orders.parquet')").fetchall()
    assert rows == [(2,)]
    assert temp_names(root / "lake") == []


def test_a_folder_output_over_another_nodes_output_is_a_config_error(
    project: Callable[..., Path],
) -> None:
    root = project(
        PROJECT.replace("TARGET", "marts").replace(
            "path: orders.parquet", "path: marts/orders.parquet"
        ),
        orders(["north"]),
    )
    result = odibi("validate", cwd=root)
    assert result.returncode == 3
    assert (
        "odibi.yaml:14: pipelines[0].nodes[1].write.path: write target lake:marts of node "
        "'by_region' holds the output of node 'orders' (lake:marts/orders.parquet, odibi.yaml:11)"
        in result.stderr
    )
