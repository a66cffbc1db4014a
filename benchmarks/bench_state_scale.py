#!/usr/bin/env python3
"""Benchmark: what a run's state work costs when the project's state holds many pipelines.

Builds a project whose state (local backend) already holds the history of ``--pipelines`` other
pipelines (50 runs of 2 nodes each, about 40 MB at 500 pipelines) written the old way, in one
shared document. Then:

* times the first ``odibi run`` on it (it moves every pipeline's history to its own document:
  a one-time cost) and checks nothing was lost;
* runs ``odibi run`` of a 1-node pipeline on that state and on an empty state, interleaved, and
  prints the medians and the difference (what the other pipelines' history costs a run).

    .venv/bin/python benchmarks/bench_state_scale.py [--pipelines 500] [--repeats 7] \\
        [--json out.json]
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

from harness import ODIBI, call_in_child, interleaved, measure, parser, plugin_env, report

PROJECT = """\
project: scale
connections:
  raw: {type: local, base_path: .}
pipelines:
  - pipeline: mine
    nodes:
      - name: load
        read: {connection: raw, format: csv, path: data.csv}
        write: {connection: raw, format: csv, path: out.csv, mode: overwrite}
"""


def plant_history(state_file: str | Path, pipelines: int, runs: int = 50, nodes: int = 2) -> int:
    """Write ``pipelines`` pipelines' history into one shared state document; its size."""
    from odibi_core.contracts.state import NodeRecord, PipelineState, RunRecord, StateDocument
    from odibi_state_local.backend import LocalStateBackend

    def fill(doc: StateDocument) -> None:
        for p in range(pipelines):
            state = PipelineState()
            for r in range(runs):
                started = f"2026-01-{1 + r % 28:02d}T00:{r % 60:02d}:00.000+00:00"
                records = {
                    f"node_{n}": NodeRecord(
                        status="success",
                        fingerprint=f"{p:08x}{r:08x}{n:016x}",
                        rows_in=1000 + n,
                        rows_out=1000 + n,
                        rows_written=1000 + n,
                        duration_s=0.25,
                        run_id=f"p{p}-r{r}",
                        started_at=started,
                        finished_at=started,
                        environment="(default)",
                        output=f"lake:pipeline_{p}/node_{n}.parquet",
                        source_fingerprint="ab" * 16,
                    )
                    for n in range(nodes)
                }
                state.runs.append(
                    RunRecord(
                        run_id=f"p{p}-r{r}",
                        status="success",
                        started_at=started,
                        finished_at=started,
                        user="bench",
                        host="bench",
                        pid=1,
                        odibi_version="0",
                        nodes=records,
                    )
                )
            state.nodes = dict(state.runs[-1].nodes)
            doc.pipelines[f"pipeline_{p}"] = state

    path = Path(state_file)
    LocalStateBackend(path, project="scale").update(fill)
    return path.stat().st_size


def make_project(folder: Path) -> None:
    """The 1-node project and its input."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "odibi.yaml").write_text(PROJECT)
    (folder / "data.csv").write_text("id,name\n" + "".join(f"{i},n{i}\n" for i in range(10)))


def main() -> None:
    p = parser(__doc__, repeats=7)
    p.add_argument("--pipelines", type=int, default=500)
    args = p.parse_args()
    work = Path(tempfile.mkdtemp(prefix="odibi-bench-state-"))
    try:
        big, empty = work / "big", work / "empty"
        make_project(big)
        make_project(empty)
        size = call_in_child(
            "bench_state_scale", "plant_history", str(big / ".odibi" / "state.json"), args.pipelines
        )
        env = plugin_env()
        start = time.perf_counter()
        first = measure([*ODIBI, "run", "odibi.yaml"], cwd=big, env=env)
        moved = time.perf_counter() - start
        results = interleaved(
            {
                "odibi run, empty state": lambda: measure(
                    [*ODIBI, "run", "odibi.yaml"], cwd=empty, env=env
                ),
                f"odibi run, {args.pipelines} pipelines' history": lambda: measure(
                    [*ODIBI, "run", "odibi.yaml"], cwd=big, env=env
                ),
            },
            args.repeats,
        )
        data = report(
            "state at scale",
            results,
            baseline="odibi run, empty state",
            json_path=args.json,
            extra={
                "shared state document before": f"{size / 1e6:.1f} MB, {args.pipelines} pipelines",
                "first run (moves history to per-pipeline documents, once)": (
                    f"{moved:.2f} s wall, peak RSS {first.rss_mib:.0f} MiB"
                ),
                "main document after": (
                    f"{(big / '.odibi' / 'state.json').stat().st_size / 1e3:.1f} kB"
                ),
            },
        )
        med = data["medians"]
        base, scaled = (
            med["odibi run, empty state"],
            med[f"odibi run, {args.pipelines} pipelines' history"],
        )
        print(
            f"  extra per run: {scaled['wall'] - base['wall']:+.3f} s wall, "
            f"{scaled['cpu'] - base['cpu']:+.3f} s cpu, "
            f"{scaled['rss_mib'] - base['rss_mib']:+.1f} MiB peak RSS"
        )
        from odibi_core.state.pipeline_documents import read_all
        from odibi_state_local.backend import LocalStateBackend

        doc = read_all(LocalStateBackend(big / ".odibi" / "state.json"))
        assert doc is not None
        kept = sum(len(s.runs) for name, s in doc.pipelines.items() if name != "mine")
        print(
            f"  history kept after the move: {kept} runs of {args.pipelines} other pipelines "
            f"({'all' if kept == args.pipelines * 50 else 'NOT all'})"
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
