"""What every benchmark needs: test data, interleaved timed processes, medians, ratios, JSON.

Benchmarks import it as ``from harness import ...`` (they run as scripts from this folder, so the
folder is on ``sys.path``). Figures are for people to read: nothing here asserts a target.

* :func:`measure` runs one process and returns its wall time, CPU time (user + system: less
  sensitive to a loaded machine than wall time) and peak RSS, read from ``wait4``'s resource usage.
* :func:`interleaved` runs several commands in alternating order, so a machine that gets busier
  or quieter during the benchmark affects every command alike; report medians.
* :func:`report` prints a table of medians with ratios against a baseline, and writes the same
  figures as JSON when asked (``--json PATH``).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
"""The repository root."""

CACHE = ROOT / ".bench"
"""Where generated inputs are cached between runs (git-ignored)."""

ODIBI = [sys.executable, "-m", "odibi_core.cli.entry"]
"""How benchmarks start the ``odibi`` command (the same interpreter, no console-script shim)."""


@dataclass(frozen=True)
class Measurement:
    """One process run: wall seconds, CPU seconds (user + system) and peak RSS in MiB."""

    wall: float
    cpu: float
    rss_mib: float


def measure(
    cmd: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    check: bool = True,
) -> Measurement:
    """Run ``cmd`` to the end; its wall time, CPU time and peak RSS (stdout discarded)."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        list(cmd),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=dict(env) if env is not None else None,
        cwd=cwd,
    )
    assert proc.stderr is not None
    err = proc.stderr.read()  # drain, so a chatty process never blocks on a full pipe
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - start
    if check and proc.returncode != 0:
        raise SystemExit(
            f"{' '.join(cmd)} exited {proc.returncode}:\n{err.decode(errors='replace')[-3000:]}"
        )
    return Measurement(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)


def interleaved(
    commands: Mapping[str, Callable[[], Measurement]], repeats: int, *, warmup: int = 1
) -> dict[str, list[Measurement]]:
    """Call every command ``repeats`` times, alternating forward and reverse order.

    Args:
        commands: Name -> a function running the command once (usually a :func:`measure` call).
        repeats: Measured rounds.
        warmup: Unmeasured rounds first (page cache, bytecode).
    """
    for _ in range(warmup):
        for run in commands.values():
            run()
    results: dict[str, list[Measurement]] = {name: [] for name in commands}
    for i in range(repeats):
        order = list(commands) if i % 2 == 0 else list(reversed(list(commands)))
        for name in order:
            results[name].append(commands[name]())
    return results


def medians(runs: Sequence[Measurement]) -> Measurement:
    """The median of each figure."""
    return Measurement(
        statistics.median(r.wall for r in runs),
        statistics.median(r.cpu for r in runs),
        statistics.median(r.rss_mib for r in runs),
    )


def timed(fn: Callable[[], Any], repeats: int) -> list[float]:
    """Seconds each of ``repeats`` in-process calls of ``fn`` took."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def report(
    title: str,
    results: Mapping[str, Sequence[Measurement]],
    *,
    baseline: str | None = None,
    json_path: str | None = None,
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Print medians (and ratios to ``baseline``) and write them to ``json_path`` if given."""
    med = {name: medians(runs) for name, runs in results.items()}
    n = min((len(r) for r in results.values()), default=0)
    print(f"{title} ({n} interleaved runs each, medians)")
    for name, m in med.items():
        line = (
            f"  {name:<34} wall {m.wall:7.3f} s   cpu {m.cpu:7.3f} s   peak RSS "
            f"{m.rss_mib:7.1f} MiB"
        )
        if baseline is not None and name != baseline:
            b = med[baseline]
            line += (
                f"   x{m.wall / b.wall:.2f} wall, x{m.cpu / b.cpu:.2f} cpu, "
                f"x{m.rss_mib / b.rss_mib:.2f} mem"
            )
        print(line)
    for key, value in (extra or {}).items():
        print(f"  {key}: {value}")
    data: dict[str, Any] = {
        "title": title,
        "baseline": baseline,
        "runs": n,
        "medians": {name: asdict(m) for name, m in med.items()},
        "samples": {name: [asdict(r) for r in runs] for name, runs in results.items()},
        **({"extra": dict(extra)} if extra else {}),
    }
    if json_path:
        Path(json_path).write_text(json.dumps(data, indent=2) + "\n")
        print(f"  figures written to {json_path}")
    return data


def call_in_child(module: str, function: str, *args: Any) -> Any:
    """``module.function(*args)`` run in a fresh interpreter started in this folder; its result.

    For set-up that builds something large (planting a big state document, say): a process
    forked from a large one reports the parent's peak RSS as its own, which would spoil every
    measurement after it. ``args`` and the result travel as JSON.
    """
    code = (
        "import importlib, json, sys; "
        "function = getattr(importlib.import_module(sys.argv[1]), sys.argv[2]); "
        "print(json.dumps(function(*json.loads(sys.argv[3]))))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, module, function, json.dumps(args)],
        cwd=Path(__file__).parent,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(done.stdout)


def compile_sources() -> None:
    """Compile the packages' sources to bytecode, as an installed wheel is: without it, with
    ``PYTHONDONTWRITEBYTECODE`` set, every measured process would compile them from source."""
    import compileall

    for src in sorted(ROOT.glob("packages/*/src")):
        compileall.compile_dir(src, quiet=2)


def parser(doc: str | None, *, repeats: int = 5) -> argparse.ArgumentParser:
    """An argument parser with the options every benchmark shares (``--repeats``, ``--json``);
    making it also compiles the sources (:func:`compile_sources`)."""
    compile_sources()
    lines = (doc or "").strip().splitlines()
    p = argparse.ArgumentParser(
        description=lines[0] if lines else None,
        epilog="\n".join(lines[1:]) or None,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--repeats", type=int, default=repeats, help="measured runs of each command")
    p.add_argument("--json", metavar="PATH", help="also write the figures as JSON to PATH")
    return p


REGIONS = ("north", "south", "east", "west", "central")
STATUSES = ("completed", "shipped", "pending", "cancelled")


def generate_orders(folder: Path, rows: int, customers: int, *, seed: int = 42) -> Path:
    """Write ``orders.csv`` (``rows`` rows) and ``customers.csv`` into ``folder`` once (cached:
    a ``.complete`` marker says the files are whole). Returns ``folder``."""
    done = folder / ".complete"
    if done.exists():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    with open(folder / "customers.csv", "w") as f:
        f.write("customer_id,name,region\n")
        for i in range(1, customers + 1):
            f.write(f"{i},customer {i},{REGIONS[i % len(REGIONS)]}\n")
    with open(folder / "orders.csv", "w") as f:
        f.write("order_id,customer_id,amount,status,order_date\n")
        chunk: list[str] = []
        for i in range(1, rows + 1):
            chunk.append(
                f"{i},{rng.randint(1, customers)},{rng.randint(100, 100000) / 100:.2f},"
                f"{STATUSES[rng.randrange(4)]},2026-{1 + i % 12:02d}-{1 + i % 28:02d}\n"
            )
            if len(chunk) == 100_000:
                f.writelines(chunk)
                chunk.clear()
        f.writelines(chunk)
    done.write_text("ok")
    return folder


def plugin_env(**overrides: str) -> dict[str, str]:
    """The current environment with ``overrides`` (empty string: remove the variable)."""
    env = dict(os.environ)
    for key, value in overrides.items():
        if value == "":
            env.pop(key, None)
        else:
            env[key] = value
    return env


__all__ = [
    "CACHE",
    "ODIBI",
    "ROOT",
    "Measurement",
    "call_in_child",
    "compile_sources",
    "generate_orders",
    "interleaved",
    "measure",
    "medians",
    "parser",
    "plugin_env",
    "report",
    "timed",
]
