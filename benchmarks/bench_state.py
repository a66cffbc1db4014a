#!/usr/bin/env python
"""Benchmark: lock + read-modify-write throughput of the local state backend.

Measures ``LocalStateBackend.update`` (sidecar lock, read, parse, modify, redact, temp file,
fsync, ``os.replace``, folder fsync, unlock) in updates per second, with 1 process and with 8
processes hammering one state file, for a tiny document and for a realistic one (50 recorded
runs of 10 nodes). The baseline, measured in the same run on the same disk, is a bare atomic
replace of the same bytes (temp file + fsync + rename + folder fsync) with no lock and no
parsing: the ratio says what locking and checking cost on top of durability.

    .venv/bin/python benchmarks/bench_state.py [--updates 400] [--processes 8]

Numbers go to stdout; nothing is asserted (speed targets are never a test).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _seed(path: Path, runs: int, nodes: int) -> None:
    """Fill a pipeline with ``runs`` recorded runs of ``nodes`` nodes (a realistic document)."""
    from odibi_core.contracts.state import NodeRecord, RunRecord, StateDocument
    from odibi_state_local.backend import LocalStateBackend

    def fill(doc: StateDocument) -> None:
        state = doc.pipeline("daily_sales")
        for r in range(runs):
            records = {
                f"node_{n:02d}": NodeRecord(
                    status="success",
                    fingerprint=f"{r:08x}{n:08x}",
                    rows_in=1000 * n,
                    rows_out=990 * n,
                    duration_s=0.123,
                    output=f"lake:node_{n}.parquet",
                    started_at="2024-06-01T10:00:00.000+00:00",
                    finished_at="2024-06-01T10:00:01.000+00:00",
                    run_id=f"run-{r}",
                )
                for n in range(nodes)
            }
            state.runs.append(
                RunRecord(
                    run_id=f"run-{r}",
                    status="success",
                    started_at="2024-06-01T10:00:00+00:00",
                    finished_at="2024-06-01T10:05:00+00:00",
                    user="etl",
                    host="worker-1",
                    pid=1234,
                    nodes=records,
                )
            )
            state.nodes.update(records)

    LocalStateBackend(path).update(fill)


def _bump(doc: object) -> None:
    from odibi_core.testing.state_contract import bump

    bump(doc)  # type: ignore[arg-type]


def _worker(path: str, updates: int, start_file: str) -> None:
    from odibi_state_local.backend import LocalStateBackend

    backend = LocalStateBackend(path, lock_timeout=600)
    backend.update(_bump)  # warm up imports before the barrier
    while not os.path.exists(start_file):
        time.sleep(0.001)
    began = time.time()
    for _ in range(updates):
        backend.update(_bump)
    print(json.dumps({"began": began, "ended": time.time()}), flush=True)


def one_process(path: Path, updates: int) -> float:
    from odibi_state_local.backend import LocalStateBackend

    backend = LocalStateBackend(path)
    backend.update(_bump)
    start = time.perf_counter()
    for _ in range(updates):
        backend.update(_bump)
    return updates / (time.perf_counter() - start)


def many_processes(path: Path, processes: int, updates: int) -> float:
    """Total updates/s of ``processes`` processes, timed from a start barrier."""
    start_file = path.parent / "go"
    warm_target = _counter(path) + processes  # each worker warms up with one update
    procs = [
        subprocess.Popen(
            [sys.executable, __file__, "--worker", str(path), str(updates), str(start_file)],
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(processes)
    ]
    while _counter(path) < warm_target:
        if any(p.poll() for p in procs):
            raise SystemExit("a worker failed")
        time.sleep(0.05)
    start_file.touch()
    spans = [json.loads(p.communicate()[0]) for p in procs]
    if any(p.returncode for p in procs):
        raise SystemExit("a worker failed")
    start_file.unlink()
    elapsed = max(s["ended"] for s in spans) - min(s["began"] for s in spans)
    return processes * updates / elapsed


def _counter(path: Path) -> int:
    from odibi_core.testing.state_contract import counter_value
    from odibi_state_local.backend import LocalStateBackend

    return counter_value(LocalStateBackend(path).read())


def baseline(path: Path, updates: int) -> float:
    from odibi_state_local.atomic import atomic_write

    data = path.read_bytes()
    target = path.with_name("baseline.json")
    start = time.perf_counter()
    for _ in range(updates):
        atomic_write(target, data)
    return updates / (time.perf_counter() - start)


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        _worker(sys.argv[2], int(sys.argv[3]), sys.argv[4])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--updates", type=int, default=400, help="updates per measurement (per process with 8)"
    )
    parser.add_argument("--processes", type=int, default=8)
    args = parser.parse_args()
    from odibi_state_local.backend import LocalStateBackend

    work = ROOT / ".bench" / f"state-{os.getpid()}"
    work.mkdir(parents=True)
    try:
        print(f"local state backend, {os.cpu_count()} CPUs, state under {work.parent}")
        print(
            f"{'document':<22}{'size':>9}{'baseline/s':>13}{'1 proc/s':>11}{'ratio':>8}"
            f"{f'{args.processes} procs/s':>13}{'ratio':>8}"
        )
        for label, runs, nodes in (("tiny (counter)", 0, 0), ("50 runs x 10 nodes", 50, 10)):
            folder = work / label.split()[0]
            folder.mkdir()
            path = folder / "state.json"
            if runs:
                _seed(path, runs, nodes)
            else:
                LocalStateBackend(path).update(_bump)
            size = path.stat().st_size
            base = baseline(path, args.updates)
            single = one_process(path, args.updates)
            per_process = max(1, args.updates // 4)
            multi = many_processes(path, args.processes, per_process)
            print(
                f"{label:<22}{size:>8}B{base:>13.0f}{single:>11.0f}{single / base:>8.2f}"
                f"{multi:>13.0f}{multi / base:>8.2f}"
            )
        print(
            "ratio = updates/s of LocalStateBackend.update (lock + read + parse + write) / "
            "bare atomic "
            "replace of the same bytes without lock or parse, same disk, same run"
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
