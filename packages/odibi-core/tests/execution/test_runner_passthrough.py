"""A node without read or transform passes its upstream's frame on; siblings must keep it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pyarrow.parquet as pq
from odibi_core.config.loader import load_project
from odibi_core.execution.runner import RunOptions, run_project


def test_a_passthrough_node_does_not_release_the_frame_its_siblings_still_read(
    write_project: Callable[..., Path], make_plugin_manager: Callable[..., object]
) -> None:
    project = write_project(
        """
        project: passthrough
        workers: 1
        connections:
          raw: {type: local, base_path: ./data}
          lake: {type: local, base_path: ./lake}
        pipelines:
          - pipeline: p
            nodes:
              - name: src
                read: {connection: raw, format: csv, path: a.csv}
              - name: copy
                depends_on: [src]
                write: {connection: lake, format: parquet, path: copy.parquet}
              - name: doubled
                depends_on: [src]
                transform: {steps: ["SELECT id, v * 2 AS v FROM src"]}
                write: {connection: lake, format: parquet, path: doubled.parquet}
              - name: copy_of_copy
                depends_on: [copy]
                write: {connection: lake, format: parquet, path: copy_of_copy.parquet}
    """,
        files={"data/a.csv": "id,v\n1,2\n3,4\n"},
    )
    pm = make_plugin_manager()

    results = run_project(load_project(project, pm=pm), pm, RunOptions())

    assert results[0].ok, {n: r.error for n, r in results[0].nodes.items() if r.error}
    lake = project.parent / "lake"
    assert pq.read_table(lake / "doubled.parquet").column("v").to_pylist() == [4, 8]
    assert pq.read_table(lake / "copy_of_copy.parquet").num_rows == 2
