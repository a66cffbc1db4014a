"""Startup cost of two installs of ``odibi-core``: a baseline against a candidate, same run.

    python scripts/bench_install.py BASELINE_VENV CANDIDATE_VENV [--runs N]

Each venv holds an installed ``odibi-core`` (for example two clean venvs, one with the wheel of
``main`` and one with the wheel of a branch). Runs alternate between the two so machine load hits
both alike; medians are printed with the candidate/baseline ratio (``scripts/bench_startup.py``
measures one install with and without plugins instead). Measures:

* ``import odibi_core.cli.main``: cumulative microseconds reported by ``python -X importtime``;
* ``odibi --version`` and ``odibi run --help``: wall time of the whole process.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import time
from pathlib import Path


def _import_us(venv: Path) -> float:
    done = subprocess.run(
        [str(venv / "bin" / "python"), "-X", "importtime", "-c", "import odibi_core.cli.main"],
        capture_output=True, text=True, check=True,
    )
    for line in done.stderr.splitlines():
        if line.rstrip().endswith("| odibi_core.cli.main"):
            return float(line.split("|")[1])
    raise RuntimeError("odibi_core.cli.main not in the -X importtime output")


def _wall_ms(venv: Path, *args: str) -> float:
    started = time.perf_counter()
    subprocess.run([str(venv / "bin" / "odibi"), *args], capture_output=True, check=True)
    return (time.perf_counter() - started) * 1000


def main() -> None:
    """Measure and print one line per figure."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("baseline", type=Path)
    parser.add_argument("candidate", type=Path)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    probes = {
        "import odibi_core.cli.main (ms, cumulative)": lambda v: _import_us(v) / 1000,
        "odibi --version (ms, wall)": lambda v: _wall_ms(v, "--version"),
        "odibi run --help (ms, wall)": lambda v: _wall_ms(v, "run", "--help"),
    }
    for label, probe in probes.items():
        for venv in (args.baseline, args.candidate):  # warm the file cache and .pyc files
            probe(venv)
        samples: dict[Path, list[float]] = {args.baseline: [], args.candidate: []}
        for _ in range(args.runs):
            for venv in (args.baseline, args.candidate):
                samples[venv].append(probe(venv))
        base = statistics.median(samples[args.baseline])
        cand = statistics.median(samples[args.candidate])
        print(f"{label:<45} baseline {base:8.1f}  candidate {cand:8.1f}  ratio {cand / base:5.2f}")


if __name__ == "__main__":
    main()
