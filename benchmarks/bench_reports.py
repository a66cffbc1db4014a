#!/usr/bin/env python
"""Benchmark: wall time of a pipeline run with run reports on vs off (target: within 3%).

The pipeline is the one Odibi is measured on: a 2,000,000-row orders CSV joined to 50,000
customers, filtered, grouped, written to Parquet. Each round runs every variant once, in an order
that alternates between rounds (so warm-up and drift do not favour one side); the medians and
their ratio are printed. Reports "on" are JSON + HTML with samples (opt-in; the default
takes none, which costs less), no profile;
"profile" (one extra aggregate pass per node, opt-in) is measured with --with-profile. Besides the
ratio of medians, the median of the per-round ratios is printed: on a busy machine it cancels the
drift that both runs of a round share. CPU time (this process, all threads) is less disturbed by
other processes than wall time.

    .venv/bin/python benchmarks/bench_reports.py                # 2,000,000 orders, 9 rounds
    .venv/bin/python benchmarks/bench_reports.py --orders 200000 --rounds 3 --with-profile
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import textwrap
import time
from pathlib import Path
from typing import Any

PIPELINE = """\
project: bench
connections:
  raw: {{type: local, base_path: "{data}"}}
  lake: {{type: local, base_path: ./lake}}
reports: {reports}
pipelines:
  - pipeline: sales
    nodes:
      - name: orders
        read: {{connection: raw, path: orders.csv}}
      - name: customers
        read: {{connection: raw, path: customers.csv}}
      - name: enriched
        depends_on: [orders, customers]
        transform:
          steps:
            - |
              SELECT o.order_id, o.customer_id, c.region, o.status, o.amount
              FROM orders o JOIN customers c USING (customer_id)
              WHERE o.status <> 'cancelled'
      - name: region_totals
        depends_on: [enriched]
        transform:
          steps:
            - |
              SELECT region, status, count(*) AS orders, sum(amount) AS revenue
              FROM enriched GROUP BY region, status
        write: {{connection: lake, path: region_totals.parquet}}
"""

VARIANTS = {
    "off": "{enabled: false}",
    "on": "{enabled: true, samples: true}",
    "profile": "{enabled: true, samples: true, profile: true}",
}


def generate(data: Path, orders: int, customers: int) -> None:
    """Write orders.csv and customers.csv (deterministic) with DuckDB."""
    import duckdb

    data.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    con.execute(f"""COPY (
        SELECT range + 1 AS order_id, (hash(range) % {customers}) + 1 AS customer_id,
               round(((hash(range * 7) % 100000) / 100.0), 2) AS amount,
               ['completed', 'shipped', 'pending', 'cancelled'][(range % 4) + 1] AS status,
               TIMESTAMP '2026-01-01' + to_seconds(range) AS updated_at
        FROM range({orders})) TO '{data / "orders.csv"}' (HEADER)""")
    con.execute(f"""COPY (
        SELECT range + 1 AS customer_id, 'customer ' || (range + 1) AS name,
               ['north', 'south', 'east', 'west'][(range % 4) + 1] AS region,
               'c' || (range + 1) || '@example.com' AS email
        FROM range({customers})) TO '{data / "customers.csv"}' (HEADER)""")
    con.close()


def write_projects(root: Path, data: Path) -> dict[str, Path]:
    """One project folder per variant, identical but for the reports: section."""
    projects = {}
    for name, reports in VARIANTS.items():
        folder = root / name
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "odibi.yaml").write_text(
            textwrap.dedent(PIPELINE.format(data=data, reports=reports))
        )
        projects[name] = folder / "odibi.yaml"
    return projects


class ReportTimer:
    """Times what reports add to a run: the report write, and the looks taken inside nodes.

    Wall time of whole runs is at the mercy of everything else the machine does; the time spent
    in these places is the cost reports add, measured directly. A "look" is a sample or a schema
    query: for a read node the sample's query also answers the schema, so only their sum compares.
    """

    def __init__(self) -> None:
        self.write: list[float] = []
        self.observe: list[float] = []

    def install(self) -> None:
        import odibi_core.execution.node as node
        import odibi_core.reports.writer as writer
        from odibi_core.engines.duckdb_engine import DuckDBEngine

        original_write, original_observe = writer.write_run_report, node.observe
        original_schema = DuckDBEngine.schema

        def timed_schema(engine: Any, frame: Any) -> Any:
            start = time.perf_counter()
            try:
                return original_schema(engine, frame)
            finally:
                self.observe.append(time.perf_counter() - start)

        def timed_write(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            written = original_write(*args, **kwargs)
            if written is not None:  # reports off: nothing written, nothing to time
                self.write.append(time.perf_counter() - start)
            return written

        def timed_observe(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return original_observe(*args, **kwargs)
            finally:
                self.observe.append(time.perf_counter() - start)

        writer.write_run_report = timed_write  # type: ignore[assignment]
        node.observe = timed_observe  # type: ignore[assignment]
        DuckDBEngine.schema = timed_schema  # type: ignore[method-assign]

    def clear(self) -> None:
        """Forget what was timed so far."""
        self.write.clear()
        self.observe.clear()


def run_once(project_file: Path) -> tuple[float, float]:
    """Load and run the project in this process; wall and CPU seconds of the run."""
    from odibi_core.config.loader import load_project
    from odibi_core.execution.runner import run_project
    from odibi_core.plugins.loader import PluginSettings
    from odibi_core.plugins.manager import create_plugin_manager

    pm = create_plugin_manager(PluginSettings(), load_entry_points=False)
    project = load_project(project_file, pm=pm)
    start, cpu = time.perf_counter(), time.process_time()
    [result] = run_project(project, pm)
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    if result.status != "success":
        sys.exit(
            f"benchmark run failed: {[(n, r.error) for n, r in result.nodes.items() if r.error]}"
        )
    return elapsed, cpu


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--orders", type=int, default=2_000_000)
    parser.add_argument("--customers", type=int, default=50_000)
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument(
        "--with-profile", action="store_true", help="Also measure reports with profile: true."
    )
    parser.add_argument("--workdir", type=Path, default=None, help="Keep data and projects here.")
    args = parser.parse_args()

    import logging

    logging.getLogger("odibi").setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="odibi-bench-reports-") as tmp:
        root = args.workdir or Path(tmp)
        data = root / "data"
        start = time.perf_counter()
        if not (data / "orders.csv").exists():
            generate(data, args.orders, args.customers)
        print(
            f"data: {args.orders:,} orders, {args.customers:,} customers "
            f"({(data / 'orders.csv').stat().st_size / 1e6:.0f} MB CSV) ready in "
            f"{time.perf_counter() - start:.1f}s"
        )
        projects = write_projects(root, data)
        timer = ReportTimer()
        timer.install()
        for name in ("off", "on"):  # warm-up: file cache, imports, first DuckDB connection
            run_once(projects[name])
        times: dict[str, list[float]] = {name: [] for name in VARIANTS}
        cpus: dict[str, list[float]] = {name: [] for name in VARIANTS}
        timer.clear()
        looks: dict[str, list[float]] = {
            name: [] for name in VARIANTS
        }  # seconds in samples + schemas, per run
        names = [n for n in VARIANTS if n != "profile" or args.with_profile]
        for i in range(args.rounds):
            order = names if i % 2 == 0 else names[::-1]
            for name in order:
                before = len(timer.observe)
                wall, cpu = run_once(projects[name])
                looks[name].append(sum(timer.observe[before:]))
                times[name].append(wall)
                cpus[name].append(cpu)
            print(f"round {i + 1}: " + "  ".join(f"{n} {times[n][-1]:.3f}s" for n in names))
        wall_median = {name: statistics.median(values) for name, values in times.items() if values}
        cpu_median = {name: statistics.median(values) for name, values in cpus.items() if values}
        paired = statistics.median(
            on / off for on, off in zip(times["on"], times["off"], strict=False)
        )
        report = max(
            (projects["on"].parent / ".odibi/reports/sales").glob("*.html"),
            key=lambda p: p.stat().st_mtime,
        )
        print()
        print(f"medians over {args.rounds} rounds (CPU: this process, all threads):")
        for name in names:
            print(
                f"  reports {name:<8} wall {wall_median[name]:.3f}s (min {min(times[name]):.3f}s, "
                f"max {max(times[name]):.3f}s)  cpu {cpu_median[name]:.3f}s"
            )
        print(
            f"ratio on/off:      wall {wall_median['on'] / wall_median['off']:.3f}  "
            f"cpu {cpu_median['on'] / cpu_median['off']:.3f}  (target <= 1.03)"
        )
        print(f"median of per-round wall ratios on/off: {paired:.3f}")
        if args.with_profile:
            print(
                f"ratio profile/off: wall {wall_median['profile'] / wall_median['off']:.3f}  "
                f"cpu {cpu_median['profile'] / cpu_median['off']:.3f}  (opt-in: one extra "
                "pass per node)"
            )
        sampling = statistics.median(looks["on"]) - statistics.median(looks["off"])
        added = statistics.median(timer.write) + sampling
        print(
            "added by reports, timed where it happens: samples and schemas "
            f"{sampling * 1000:+.1f} ms, "
            f"report write {statistics.median(timer.write) * 1000:.1f} ms: "
            f"{added * 1000:.1f} ms per run, "
            f"{added / wall_median['off']:.1%} of the median run without reports"
        )
        print(
            "report write (JSON + HTML + retention): median "
            f"{statistics.median(timer.write) * 1000:.1f} ms; "
            f"HTML {report.stat().st_size / 1024:.0f} KiB, "
            f"JSON {report.with_suffix('.json').stat().st_size / 1024:.0f} KiB"
        )


if __name__ == "__main__":
    main()
