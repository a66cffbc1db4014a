#!/usr/bin/env python3
"""Benchmark: what a pipeline's own run history costs each of its runs.

A pipeline scheduled for a while keeps ``state.history`` runs (50 by default), each with a record
per node, and every run reads that document and writes it twice (the run starts, the run
finishes). This runs the 200-node pipeline of ``bench_nodes.py`` as whole processes, interleaved,
on a state holding only a few runs and on one holding a full history (planted by copying a real
run's record), and prints the medians and the difference per node.

    .venv/bin/python benchmarks/bench_state_history.py [--nodes 200] [--history 50] \\
        [--repeats 5] [--json out.json]
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from bench_otel import write_project
from harness import ODIBI, call_in_child, interleaved, measure, medians, parser, plugin_env, report


def plant_history(state_file: str | Path, pipeline: str, runs: int) -> int:
    """Fill ``pipeline``'s history in ``state_file`` (a per-pipeline document) up to ``runs``
    runs, copies of its last run under new ids; returns the document's size in bytes."""
    from odibi_core.contracts.state import StateDocument
    from odibi_state_local.backend import LocalStateBackend

    def fill(doc: StateDocument) -> None:
        history = doc.pipeline(pipeline).runs
        last = history[-1]
        while len(history) < runs:
            run_id = f"20260101T{len(history):06d}Z-bench000"
            nodes = {
                name: record.model_copy(update={"run_id": run_id})
                for name, record in last.nodes.items()
            }
            history.insert(0, last.model_copy(update={"run_id": run_id, "nodes": nodes}))

    path = Path(state_file)
    LocalStateBackend(path, project="bench", history_limit=runs).update(fill)
    return path.stat().st_size


def main() -> None:
    p = parser(__doc__, repeats=5)
    p.add_argument("--nodes", type=int, default=200)
    p.add_argument("--history", type=int, default=50)
    args = p.parse_args()
    work = Path(tempfile.mkdtemp(prefix="odibi-bench-history-"))
    env = plugin_env(ODIBI_DISABLE_PLUGINS="odibi-otel")
    try:
        fresh = write_project(work / "fresh", args.nodes)
        full = write_project(work / "full", args.nodes)
        measure([*ODIBI, "run", full.name], cwd=full.parent, env=env)
        document = full.parent / ".odibi" / "state.pipelines" / "many_steps.json"
        size = call_in_child(
            "bench_state_history", "plant_history", str(document), "many_steps", args.history
        )
        results = interleaved(
            {
                "odibi run, a few runs of history": lambda: measure(
                    [*ODIBI, "run", fresh.name], cwd=fresh.parent, env=env
                ),
                f"odibi run, {args.history} runs of history": lambda: measure(
                    [*ODIBI, "run", full.name], cwd=full.parent, env=env
                ),
            },
            args.repeats,
        )
        few = medians(results["odibi run, a few runs of history"])
        many = medians(results[f"odibi run, {args.history} runs of history"])
        wall, cpu = many.wall - few.wall, many.cpu - few.cpu
        report(
            f"a {args.nodes}-node pipeline's own history ({args.history} runs, "
            f"{size / 2**20:.1f} MiB document)",
            results,
            baseline="odibi run, a few runs of history",
            json_path=args.json,
            extra={
                "what the history costs a run": f"{wall * 1000:.0f} ms wall, "
                f"{cpu * 1000:.0f} ms cpu ({cpu / args.nodes * 1000:.2f} ms cpu per node)",
            },
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
