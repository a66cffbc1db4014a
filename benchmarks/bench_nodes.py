#!/usr/bin/env python3
"""Benchmark: Odibi's own cost per node, on pipelines of many small SQL steps (no telemetry).

Runs, as whole processes, interleaved: ``odibi run`` of a pipeline of ``--nodes`` small SQL steps
(one CSV read, chains of filters, Parquet writes at the chain ends; the pipeline of
``bench_otel.py``) and of the same pipeline with ``--small`` nodes, plus a hand-written DuckDB
script doing the same views, ``COPY`` statements and materialisations at both sizes. The per-node
cost of each is the difference between the two sizes divided by the difference in nodes (fixed
costs cancel); Odibi's overhead per node is its per-node cost minus the script's, in wall time
and in CPU time (all threads: on a busy or small machine, CPU time is what a node costs).

    .venv/bin/python benchmarks/bench_nodes.py [--nodes 200] [--small 20] [--repeats 5]
"""

from __future__ import annotations

import statistics
import sys
import tempfile
from pathlib import Path

from bench_otel import write_project
from harness import ODIBI, interleaved, measure, parser, plugin_env, report


def handwritten(project: Path) -> Path:
    """A DuckDB script doing what ``project`` does: a view per node, a COPY per write.

    Like Odibi, it materialises an output read by several nodes (the CSV read, which every
    chain starts from) once, as a table: as a view, every statement over it would bind
    ``read_csv`` again, and its sniffing (a few ms per statement) would be counted as the
    script's cost per node, hiding Odibi's own.
    """
    import yaml

    nodes = yaml.safe_load(project.read_text())["pipelines"][0]["nodes"]
    readers: dict[str, int] = {}
    for node in nodes:
        for upstream in node.get("depends_on") or []:
            readers[upstream] = readers.get(upstream, 0) + 1
    kind = "TABLE" if readers.get("src", 0) + ("write" in nodes[0]) >= 2 else "VIEW"
    lines = [
        "import duckdb",
        "con = duckdb.connect()",
        f"con.execute(\"CREATE {kind} src AS SELECT * FROM read_csv('data/items.csv')\")",
    ]
    copies = []
    for node in nodes:
        name = node["name"]
        steps = (node.get("transform") or {}).get("steps") or []
        if steps:
            kind = "TABLE" if readers.get(name, 0) + ("write" in node) >= 2 else "VIEW"
            lines.append(f"con.execute({f'CREATE {kind} {name} AS {steps[0]}'!r})")
        if "write" in node:
            copy = f"COPY {name} TO 'hand-{node['write']['path']}' (FORMAT PARQUET)"
            copies.append(f"con.execute({copy!r})")
    script = project.parent / "hand.py"
    script.write_text("\n".join(lines + copies) + "\n")
    return script


def main() -> None:
    p = parser(__doc__, repeats=5)
    p.add_argument("--nodes", type=int, default=200)
    p.add_argument("--small", type=int, default=20)
    args = p.parse_args()
    base = Path(tempfile.mkdtemp(prefix="odibi-bench-nodes-"))
    env = plugin_env(ODIBI_DISABLE_PLUGINS="odibi-otel")
    commands = {}
    for size in (args.small, args.nodes):
        project = write_project(base / f"n{size}", size)
        script = handwritten(project)
        commands[f"hand-written duckdb, {size} nodes"] = lambda s=script: measure(
            [sys.executable, s.name], cwd=s.parent
        )
        commands[f"odibi run, {size} nodes"] = lambda p=project: measure(
            [*ODIBI, "run", p.name], cwd=p.parent, env=env
        )
    results = interleaved(commands, args.repeats)

    def per_node(kind: str, figure: str = "wall") -> float:
        big = statistics.median(getattr(m, figure) for m in results[f"{kind}, {args.nodes} nodes"])
        small = statistics.median(
            getattr(m, figure) for m in results[f"{kind}, {args.small} nodes"]
        )
        return (big - small) / (args.nodes - args.small) * 1000

    odibi, hand = per_node("odibi run"), per_node("hand-written duckdb")
    odibi_cpu, hand_cpu = per_node("odibi run", "cpu"), per_node("hand-written duckdb", "cpu")
    report(
        f"pipelines of small SQL steps ({args.small} and {args.nodes} nodes)",
        results,
        baseline=f"hand-written duckdb, {args.nodes} nodes",
        json_path=args.json,
        extra={
            "per node (wall, from the two sizes)": f"odibi {odibi:.2f} ms, hand-written "
            f"{hand:.2f} ms",
            "per node (cpu)": f"odibi {odibi_cpu:.2f} ms, hand-written {hand_cpu:.2f} ms",
            "odibi's overhead per node": f"{odibi - hand:.2f} ms wall, "
            f"{odibi_cpu - hand_cpu:.2f} ms cpu "
            "(target <= 2 ms)",
        },
    )


if __name__ == "__main__":
    main()
