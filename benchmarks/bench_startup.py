#!/usr/bin/env python3
"""Benchmark: the fixed cost of starting ``odibi``, with and without entry-point plugins.

Times, as separate processes in alternating order, several times each:

* ``odibi --version``, ``odibi --help``, ``odibi validate`` of the quickstart project,
  ``odibi run`` of a copy of it (four nodes on two small CSV files) and ``odibi validate`` of a
  generated 2,000-node chain (what loading and checking a large project costs);
* each once with the installed plugins loading (guarded, time-bounded imports) and once with
  ``ODIBI_DISABLE_PLUGIN_AUTOLOAD=1`` (the baseline: no plugin is imported at all);

and prints the median wall time of each and the ratio plugins / no plugins. It also prints the
median of ``python -c pass`` (the interpreter's own start) for scale, and of ``import sqlglot``
over that: what binding SQL table names would add to every ``odibi run`` (``validate`` pays it).
Nothing here asserts a target: the figures are for people to read.

    .venv/bin/python benchmarks/bench_startup.py [--repeats 7]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
QUICKSTART = ROOT / "examples" / "quickstart"


def _time(args: list[str], env: dict[str, str], cwd: Path) -> float:
    start = time.perf_counter()
    proc = subprocess.run(args, env=env, cwd=cwd, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(args)} exited {proc.returncode}:\n{proc.stderr}")
    return elapsed


def _chain_project(nodes: int) -> str:
    lines = [
        "project: chain",
        "connections:",
        "  raw: {type: local, base_path: .}",
        "pipelines:",
        "  - pipeline: chain",
        "    nodes:",
    ]
    for i in range(nodes):
        source = f"depends_on: [n{i - 1}]" if i else "read: {connection: raw, path: chain.csv}"
        lines += [
            f"      - name: n{i}",
            f"        {source}",
            f"        transform: {{steps: ['SELECT * FROM this WHERE {i} > 0']}}",
        ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="odibi-bench-startup-"))
    project = work / "quickstart"
    shutil.copytree(
        QUICKSTART, project, ignore=shutil.ignore_patterns("lake", ".odibi", "__pycache__")
    )
    odibi = [sys.executable, "-m", "odibi_core.cli.entry"]
    chain = work / "chain.yaml"
    chain.write_text(_chain_project(2000))
    (work / "chain.csv").write_text("x\n1\n")
    commands = {
        "odibi --version": [*odibi, "--version"],
        "odibi --help": [*odibi, "--help"],
        "odibi validate": [*odibi, "validate", str(project)],
        "odibi run (4 nodes)": [*odibi, "run", str(project)],
        "validate 2,000 nodes": [*odibi, "validate", str(chain)],
    }
    plugins_on = dict(os.environ)
    plugins_on.pop("ODIBI_DISABLE_PLUGIN_AUTOLOAD", None)
    plugins_off = {**plugins_on, "ODIBI_DISABLE_PLUGIN_AUTOLOAD": "1"}
    timings: dict[tuple[str, str], list[float]] = {}
    interpreter: list[float] = []
    sqlglot: list[float] = []
    try:
        for _ in range(args.repeats):
            interpreter.append(_time([sys.executable, "-c", "pass"], plugins_on, work))
            sqlglot.append(_time([sys.executable, "-c", "import sqlglot"], plugins_on, work))
            for label, command in commands.items():
                for mode, env in (("plugins", plugins_on), ("no plugins", plugins_off)):
                    timings.setdefault((label, mode), []).append(_time(command, env, work))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    base = statistics.median(interpreter)
    print(f"python -c pass: median {base:.3f}s ({args.repeats} runs)")
    print(
        f"import sqlglot: median {statistics.median(sqlglot) - base:.3f}s over the "
        f"interpreter's start"
    )
    print(f"{'command':<22} {'plugins':>9} {'no plugins':>11} {'ratio':>7}")
    for label in commands:
        on = statistics.median(timings[(label, "plugins")])
        off = statistics.median(timings[(label, "no plugins")])
        print(f"{label:<22} {on:>8.3f}s {off:>10.3f}s {on / off:>6.2f}x")


if __name__ == "__main__":
    main()
