#!/usr/bin/env python3
"""Benchmark: what odibi-otel costs on a 200-node pipeline of small SQL steps.

Modes, each measured in fresh worker processes, interleaved round by round:

* ``enabled``  - the plugin exports spans and metrics over OTLP/HTTP to a local receiver that this
  script runs (decoding every request, like a collector would);
* ``disabled`` - the plugin is installed but ``OTEL_SDK_DISABLED=true`` (the baseline of the ratio);
* ``absent``   - the plugin is not loaded at all (``ODIBI_DISABLE_PLUGINS=odibi-otel``): shows that
  "off" costs nothing.

Three figures per mode: the in-process pipeline wall time and CPU time of the process (all its
threads, the exporter's included; steadier than wall time on a busy machine), each the median over
rounds of the median of ``--runs`` runs after a warm-up run, and the wall time of a whole
``odibi run`` process (SDK import and exit flush included). Prints medians and ratios against
``disabled``; the target is < 5 % on the pipeline run.

    .venv/bin/python scripts/bench_otel.py [--rounds 5] [--runs 5] [--nodes 200]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

MODES = ("disabled", "enabled", "absent")


def write_project(root: Path, nodes: int, chains: int = 20) -> Path:
    """A project: one CSV read, ``nodes - 1`` small SQL steps in ``chains`` chains, leaves written."""
    (root / "data").mkdir(parents=True, exist_ok=True)
    rows = "\n".join(f"{i},{i % 7},{i * 1.5}" for i in range(200))
    (root / "data" / "items.csv").write_text("id,grp,amount\n" + rows + "\n")
    lines = [
        "project: bench_otel", "engine: duckdb", "connections:",
        "  raw: {type: local, base_path: ./data}", "  lake: {type: local, base_path: ./lake}",
        "pipelines:", "  - pipeline: many_steps", "    nodes:",
        "      - name: src", "        read: {connection: raw, format: csv, path: items.csv}",
    ]
    names = ["src"]
    last_of_chain: dict[int, str] = {}
    for i in range(1, nodes):
        name = f"n{i:03d}"
        upstream = names[i - chains] if i > chains else "src"
        sql = f"SELECT id, grp, amount + {i} AS amount FROM {upstream} WHERE id % {2 + i % 5} <> 1 OR grp < 6"
        lines += [f"      - name: {name}", f"        depends_on: [{upstream}]",
                  "        transform:", f"          steps: [{json.dumps(sql)}]"]
        names.append(name)
        last_of_chain[i % chains] = name
    text = "\n".join(lines) + "\n"
    for leaf in last_of_chain.values():
        text = text.replace(
            f"      - name: {leaf}\n",
            f"      - name: {leaf}\n        write: {{connection: lake, format: parquet, path: {leaf}.parquet}}\n",
        )
    path = root / "odibi.yaml"
    path.write_text(text)
    return path


def worker(project: str, runs: int) -> None:
    """Run the pipeline ``runs + 1`` times in this process; print the timings as JSON."""
    from odibi_core.config.loader import load_project
    from odibi_core.execution.runner import ProjectRunner, RunOptions
    from odibi_core.plugins.manager import create_plugin_manager

    loaded = load_project(project)
    pm = create_plugin_manager()
    wall, cpu = [], []
    for _ in range(runs + 1):
        start, start_cpu = time.perf_counter(), time.process_time()
        results = ProjectRunner(loaded, pm, RunOptions()).run()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
        assert all(r.ok for r in results), [r.status for r in results]
    print(json.dumps({"wall": wall[1:], "cpu": cpu[1:]}))


def mode_env(mode: str, endpoint: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_")}
    env.pop("ODIBI_DISABLE_PLUGINS", None)
    if mode == "enabled":
        env["OTEL_EXPORTER_OTLP_ENDPOINT"] = endpoint
    elif mode == "disabled":
        env["OTEL_SDK_DISABLED"] = "true"
    else:
        env["ODIBI_DISABLE_PLUGINS"] = "odibi-otel"
    return env


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--nodes", type=int, default=200)
    parser.add_argument("--workers", type=int, default=None, help="ODIBI workers (default: project's)")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.runs)
        return 0

    from odibi_otel.testing.receivers import OtlpHttpReceiver

    base = Path(__file__).resolve().parent.parent / ".bench"
    base.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(dir=base) as tmp, OtlpHttpReceiver() as receiver:
        project = write_project(Path(tmp), args.nodes)
        inproc: dict[str, list[float]] = {m: [] for m in MODES}
        cpu: dict[str, list[float]] = {m: [] for m in MODES}
        cli: dict[str, list[float]] = {m: [] for m in MODES}
        for round_no in range(1, args.rounds + 1):
            for mode in MODES:
                env = mode_env(mode, receiver.endpoint)
                out = subprocess.run([sys.executable, __file__, "--worker", str(project), "--runs", str(args.runs)],
                                     env=env, capture_output=True, text=True, check=True)
                timings = json.loads(out.stdout.strip().splitlines()[-1])
                inproc[mode].append(statistics.median(timings["wall"]))
                cpu[mode].append(statistics.median(timings["cpu"]))
                start = time.perf_counter()
                subprocess.run([sys.executable, "-m", "odibi_core.cli.main", "run", str(project)],
                               env=env, capture_output=True, text=True, check=True)
                cli[mode].append(time.perf_counter() - start)
            print(f"round {round_no}: " + ", ".join(
                f"{m} {inproc[m][-1] * 1000:.0f} ms (cpu {cpu[m][-1] * 1000:.0f} ms)" for m in MODES), flush=True)
        spans = len(receiver.spans())
        points = len(receiver.metrics())

    print(f"\n{args.nodes}-node pipeline, {args.rounds} rounds x {args.runs} runs, medians (ratio: vs disabled)")
    print(f"{'mode':<10} {'pipeline wall':>14} {'ratio':>7} {'pipeline cpu':>13} {'ratio':>7} "
          f"{'odibi run process':>18} {'ratio':>7}")
    base = {name: statistics.median(series["disabled"]) for name, series in
            (("wall", inproc), ("cpu", cpu), ("cli", cli))}
    for mode in MODES:
        wall, used, whole = (statistics.median(s[mode]) for s in (inproc, cpu, cli))
        print(f"{mode:<10} {wall * 1000:>11.1f} ms {wall / base['wall']:>7.3f} {used * 1000:>10.1f} ms "
              f"{used / base['cpu']:>7.3f} {whole * 1000:>15.0f} ms {whole / base['cli']:>7.3f}")
    wall_overhead = statistics.median(inproc["enabled"]) / base["wall"] - 1
    cpu_overhead = statistics.median(cpu["enabled"]) / base["cpu"] - 1
    print(f"\noverhead of enabled telemetry on the pipeline run: wall {wall_overhead * 100:+.1f}%, "
          f"cpu {cpu_overhead * 100:+.1f}% (target < 5%)")
    print(f"receiver got {spans} spans and {points} metric exports")
    return 0


if __name__ == "__main__":
    sys.exit(main())
