#!/usr/bin/env python3
"""Benchmark: what odibi-otel costs on a 200-node pipeline of small SQL steps.

Modes:

* ``enabled``  - odibi-otel configured by ``OTEL_EXPORTER_OTLP_ENDPOINT``, exporting spans and
  metrics over OTLP/HTTP to a local receiver this script runs (it decodes every request, as a
  collector would);
* ``disabled`` - odibi-otel installed, ``OTEL_SDK_DISABLED=true`` (the baseline of the ratios);
* ``absent``   - odibi-otel not loaded at all: shows that "off" costs nothing.

Two measurements:

1. Pipeline runs, all three modes in one worker process (so process-to-process variance, large on
   a busy machine, cancels out), in rotating order, ``--rounds`` x ``--runs`` runs after a warm-up.
   The enabled plugin is activated from the environment exactly as ``odibi run`` does it. Wall
   time is the run as a user waits for it (spans are exported in the background); CPU time is
   the process's (all threads) and includes flushing the run's spans to the receiver right after
   it, so each run pays for its own export. Both are reported as medians.
2. Whole ``odibi run`` processes per mode (SDK import and exit flush included), ``--rounds`` each,
   interleaved, medians of wall time and of the process's CPU time (all threads, from the OS).
   Ratios are medians of per-round ratios against ``disabled``.

3. The wrappers' own CPU cost per node, around a node that does nothing (best of 5 x 2000 calls).

4. Where an enabled ``odibi run`` process spends it: ``--rounds`` more enabled processes, each
   timing in itself (medians): the set-up at the first pipeline (SDK imports, providers; wall and
   main-thread CPU, before the first node runs), the exporters' background build (imports of the
   OTLP encoder and HTTP client; thread CPU), the exports during the run (span and metric
   threads' CPU), the bounded flush at exit (wall and CPU) and the process's CPU in all.

Ratios are against ``disabled``; the target is an overhead under 5 % on the pipeline run.

    .venv/bin/python benchmarks/bench_otel.py [--rounds 5] [--runs 4] [--nodes 200]
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

MODES = ("disabled", "enabled", "absent")


def write_project(root: Path, nodes: int, chains: int = 20) -> Path:
    """A project: one CSV read, ``nodes - 1`` small SQL steps in ``chains`` chains; leaves write."""
    (root / "data").mkdir(parents=True, exist_ok=True)
    rows = "\n".join(f"{i},{i % 7},{i * 1.5}" for i in range(200))
    (root / "data" / "items.csv").write_text("id,grp,amount\n" + rows + "\n")
    lines = [
        "project: bench_otel",
        "engine: duckdb",
        "connections:",
        "  raw: {type: local, base_path: ./data}",
        "  lake: {type: local, base_path: ./lake}",
        "pipelines:",
        "  - pipeline: many_steps",
        "    nodes:",
        "      - name: src",
        "        read: {connection: raw, format: csv, path: items.csv}",
    ]
    names = ["src"]
    last_of_chain: dict[int, str] = {}
    for i in range(1, nodes):
        name = f"n{i:03d}"
        upstream = names[i - chains] if i > chains else "src"
        sql = (
            f"SELECT id, grp, amount + {i} AS amount FROM {upstream} "
            f"WHERE id % {2 + i % 5} <> 1 OR grp < 6"
        )
        lines += [
            f"      - name: {name}",
            f"        depends_on: [{upstream}]",
            "        transform:",
            f"          steps: [{json.dumps(sql)}]",
        ]
        names.append(name)
        last_of_chain[i % chains] = name
    text = "\n".join(lines) + "\n"
    for leaf in last_of_chain.values():
        write = f"        write: {{connection: lake, format: parquet, path: {leaf}.parquet}}\n"
        text = text.replace(f"      - name: {leaf}\n", f"      - name: {leaf}\n{write}")
    path = root / "odibi.yaml"
    path.write_text(text)
    return path


def worker(project: str, rounds: int, runs: int) -> None:
    """Run the pipeline in every mode, rotating, in this process; print the timings as JSON."""
    from odibi_core.config.loader import load_project
    from odibi_core.execution.runner import ProjectRunner, RunOptions
    from odibi_core.plugins.loader import PluginSettings
    from odibi_core.plugins.manager import create_plugin_manager
    from odibi_otel.plugin import OtelPlugin

    def manager(plugin: object | None) -> object:
        extra = [("odibi-otel", plugin)] if plugin is not None else []
        return create_plugin_manager(PluginSettings(), extra_plugins=extra, load_entry_points=False)

    # reads OTEL_EXPORTER_OTLP_ENDPOINT from the environment, as the entry point's plugin does
    enabled = OtelPlugin()
    managers = {
        "disabled": manager(OtelPlugin(environ={"OTEL_SDK_DISABLED": "true"})),
        "enabled": manager(enabled),
        "absent": manager(None),
    }
    loaded = load_project(project, pm=managers["absent"])

    def run(mode: str) -> tuple[float, float]:
        gc.collect()  # each run starts from the same collector state, whatever ran before it
        start, start_cpu = time.perf_counter(), time.process_time()
        results = ProjectRunner(loaded, managers[mode], RunOptions()).run()
        wall = time.perf_counter() - start
        if mode == "enabled":
            from opentelemetry import trace

            trace.get_tracer_provider().force_flush()  # this run's spans are exported now...
        assert all(r.ok for r in results), [r.status for r in results]
        return wall, time.process_time() - start_cpu  # ...and their export's CPU is this run's

    for mode in MODES:
        run(mode)  # warm-up: engine caches, and the enabled plugin's SDK import and set-up
    assert enabled.telemetry() is not None, (
        "telemetry did not turn on: is OTEL_EXPORTER_OTLP_ENDPOINT set?"
    )
    timings: dict[str, dict[str, list[float]]] = {m: {"wall": [], "cpu": []} for m in MODES}
    for round_no in range(rounds * runs):
        order = MODES[round_no % len(MODES) :] + MODES[: round_no % len(MODES)]
        for mode in order:
            wall, cpu = run(mode)
            timings[mode]["wall"].append(wall)
            timings[mode]["cpu"].append(cpu)
    per_node = {mode: hook_cost(managers[mode], loaded) for mode in MODES}
    print(json.dumps({"runs": timings, "per_node_us": per_node}))


def hook_cost(pm: Any, loaded: Any, calls: int = 2000, repeats: int = 5) -> float:
    """Microseconds one ``odibi_run_node`` call costs around a node that does nothing (best of
    ``repeats``): the wrappers' own cost, without the noise of real node work."""
    from odibi_core.contracts.lifecycle import NodeResult, NodeRunContext, PipelineRunContext

    pipeline = loaded.config.pipelines[0]
    run = PipelineRunContext(
        project=loaded.config,
        pipeline=pipeline,
        run_id="bench",
        engine_name=loaded.config.engine,
        nodes=[pipeline.nodes[1].name],
    )
    context = NodeRunContext(run=run, node=pipeline.nodes[1], engine=None, fingerprint="")  # type: ignore[arg-type]
    result = NodeResult(name=pipeline.nodes[1].name, status="success", rows_out=100)
    context.work = lambda: result
    best = float("inf")
    for _ in range(repeats):
        start = time.process_time()
        for _ in range(calls):
            pm.run_node(context)
        best = min(best, (time.process_time() - start) / calls)
    return best * 1e6


def breakdown_worker(argv: list[str]) -> None:
    """Run ``odibi run`` (the console script's entry) in this process, timing odibi-otel's parts;
    print them as JSON at exit."""
    import atexit
    import runpy
    import threading

    from odibi_otel import activation

    thread_cpu: dict[str, float] = {}
    run_thread = threading.Thread.run

    def timed_run(self: threading.Thread) -> None:
        start = time.thread_time()
        try:
            run_thread(self)
        finally:
            name = self.name.rsplit("_", 1)[0] if self.name.startswith("odibi-node") else self.name
            thread_cpu[name] = thread_cpu.get(name, 0.0) + time.thread_time() - start

    threading.Thread.run = timed_run  # type: ignore[method-assign]
    parts: dict[str, float] = {}
    activate, shutdown = activation.activate, activation.bounded_shutdown

    def timed_activate(*args: Any, **kwargs: Any) -> Any:
        wall, cpu = time.perf_counter(), time.thread_time()
        try:
            return activate(*args, **kwargs)
        finally:
            parts["setup_wall"] = time.perf_counter() - wall
            parts["setup_cpu"] = time.thread_time() - cpu

    def timed_shutdown(*args: Any, **kwargs: Any) -> Any:
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            return shutdown(*args, **kwargs)
        finally:
            parts["exit_flush_wall"] = time.perf_counter() - wall
            parts["exit_flush_cpu"] = time.process_time() - cpu

    activation.activate = timed_activate  # type: ignore[assignment]
    activation.bounded_shutdown = timed_shutdown  # type: ignore[assignment]

    def report() -> None:  # registered first: runs last, after the exit flush
        exporters = [n for n in thread_cpu if n.startswith("odibi-otel-") and "exporter" in n]
        exports = [n for n in thread_cpu if n.startswith("Otel")]
        parts["build_cpu"] = sum(thread_cpu[n] for n in exporters)
        parts["export_cpu"] = sum(thread_cpu[n] for n in exports)
        parts["process_cpu"] = time.process_time()
        sys.__stderr__.write("BREAKDOWN " + json.dumps(parts) + "\n")

    atexit.register(report)
    sys.argv = ["odibi", *argv]
    runpy.run_module("odibi_core", run_name="__main__")


def run_process(argv: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Run ``python argv`` to its end: wall seconds, CPU seconds (all threads), stderr.

    The CPU time is the growth of this process's reaped-children usage: processes are run one at
    a time."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, *argv],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    _, stderr = proc.communicate()
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"{argv} failed:\n{stderr[-2000:]}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, stderr


def mode_env(mode: str, endpoint: str) -> dict[str, str]:
    """This environment without OTEL_* variables, plus what ``mode`` needs."""
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
    parser.add_argument("--runs", type=int, default=4)
    parser.add_argument("--nodes", type=int, default=200)
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    if sys.argv[1:2] == ["--breakdown"]:
        breakdown_worker(sys.argv[2:])
        return 0
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.rounds, args.runs)
        return 0

    from odibi_otel.testing.receivers import OtlpHttpReceiver

    base = Path(__file__).resolve().parent.parent / ".bench"
    base.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(dir=base) as tmp, OtlpHttpReceiver() as receiver:
        project = write_project(Path(tmp), args.nodes)
        print(f"pipeline runs: {args.rounds * args.runs} per mode in one process ...", flush=True)
        out = subprocess.run(
            [
                sys.executable,
                __file__,
                "--worker",
                str(project),
                "--rounds",
                str(args.rounds),
                "--runs",
                str(args.runs),
            ],
            env=mode_env("enabled", receiver.endpoint),
            capture_output=True,
            text=True,
            check=False,
        )
        if out.returncode != 0:
            sys.stderr.write(out.stderr)
            return 1
        measured = json.loads(out.stdout.strip().splitlines()[-1])
        timings, per_node = measured["runs"], measured["per_node_us"]
        print(f"odibi run processes: {args.rounds} per mode ...", flush=True)
        cli: dict[str, dict[str, list[float]]] = {m: {"wall": [], "cpu": []} for m in MODES}
        command = ["-m", "odibi_core", "run", str(project)]
        for round_no in range(args.rounds):
            for mode in MODES[round_no % len(MODES) :] + MODES[: round_no % len(MODES)]:
                wall, cpu, _ = run_process(command, mode_env(mode, receiver.endpoint))
                cli[mode]["wall"].append(wall)
                cli[mode]["cpu"].append(cpu)
        print(f"enabled odibi run processes timing their parts: {args.rounds} ...", flush=True)
        parts: dict[str, list[float]] = {}
        for _ in range(args.rounds):
            _, _, stderr = run_process(
                [__file__, "--breakdown", "run", str(project)],
                mode_env("enabled", receiver.endpoint),
            )
            line = next(x for x in stderr.splitlines() if x.startswith("BREAKDOWN "))
            for key, value in json.loads(line.removeprefix("BREAKDOWN ")).items():
                parts.setdefault(key, []).append(value)
        spans, exports = len(receiver.spans()), len(receiver.metric_requests)

    def paired(mode: str, key: str, series: dict[str, dict[str, list[float]]]) -> float:
        """Median over rounds of mode / disabled within each round (drift cancels out)."""
        pairs = zip(series[mode][key], series["disabled"][key], strict=True)
        return statistics.median(a / b for a, b in pairs)

    def added(mode: str, key: str, series: dict[str, dict[str, list[float]]]) -> float:
        """Median over rounds of mode - disabled within each round, in milliseconds."""
        pairs = zip(series[mode][key], series["disabled"][key], strict=True)
        return statistics.median(a - b for a, b in pairs) * 1000

    med = {m: {k: statistics.median(v) for k, v in timings[m].items()} for m in MODES}
    whole = {m: {k: statistics.median(v) for k, v in cli[m].items()} for m in MODES}
    print(f"\n{args.nodes}-node pipeline; medians; ratio = median of per-round mode / disabled")
    header = ("", "pipeline run (in one process)", "whole odibi run process", "")
    print("{:<10} {:^38} {:^38} {:>10}".format(*header))
    header = ("mode", "wall", "ratio", "cpu", "ratio", "wall", "ratio", "cpu", "ratio", "hook/node")
    print("{:<10} {:>11} {:>6} {:>11} {:>6} {:>11} {:>6} {:>11} {:>6} {:>10}".format(*header))
    for mode in MODES:
        print(
            f"{mode:<10} {med[mode]['wall'] * 1000:>8.0f} ms {paired(mode, 'wall', timings):>6.3f} "
            f"{med[mode]['cpu'] * 1000:>8.0f} ms {paired(mode, 'cpu', timings):>6.3f} "
            f"{whole[mode]['wall'] * 1000:>8.0f} ms {paired(mode, 'wall', cli):>6.3f} "
            f"{whole[mode]['cpu'] * 1000:>8.0f} ms {paired(mode, 'cpu', cli):>6.3f} "
            f"{per_node[mode]:>7.1f} us"
        )
    wall = paired("enabled", "wall", timings) - 1
    cpu = paired("enabled", "cpu", timings) - 1
    print(
        f"\noverhead of enabled telemetry per pipeline run: wall {wall * 100:+.1f}%, "
        f"cpu {cpu * 100:+.1f}% (target < 5%); per node {per_node['enabled']:.0f} us "
        f"(disabled {per_node['disabled']:.1f} us, absent {per_node['absent']:.1f} us)"
    )
    print(
        f"whole odibi run process, enabled - disabled (median of per-round differences): "
        f"wall {added('enabled', 'wall', cli):+.0f} ms (target <= +100 ms), "
        f"cpu {added('enabled', 'cpu', cli):+.0f} ms"
    )
    ms = {k: statistics.median(v) * 1000 for k, v in parts.items()}
    print(
        f"enabled odibi run, its parts (medians of {args.rounds}): set-up at the first pipeline "
        f"{ms['setup_wall']:.0f} ms wall / {ms['setup_cpu']:.0f} ms cpu; exporters' build in the "
        f"background {ms['build_cpu']:.0f} ms cpu; exports during the run "
        f"{ms['export_cpu']:.0f} ms cpu; exit flush {ms['exit_flush_wall']:.0f} ms wall / "
        f"{ms['exit_flush_cpu']:.0f} ms cpu; process {ms['process_cpu']:.0f} ms cpu"
    )
    print(f"the receiver decoded {spans} spans and {exports} metric exports")
    return 0


if __name__ == "__main__":
    sys.exit(main())
