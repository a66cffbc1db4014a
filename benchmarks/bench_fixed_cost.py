#!/usr/bin/env python3
"""Benchmark: the fixed cost of `odibi run` on a tiny project, and where it goes.

A 3-node project (read a 10-row CSV, two SQL steps, write a CSV; state and run report on) is run
as a separate process, interleaved with three baselines: ``python -c pass`` (the interpreter's own
start), a hand-written DuckDB script doing the same work, and the libraries floor (Typer, PyYAML
and pydantic doing the least a CLI over a YAML file can, then the same DuckDB work). Prints median
wall/CPU/peak RSS and the ratios, then a breakdown of one run: import time per top-level package
(``-X importtime``, self time summed) and the rest (the work after imports), and Odibi's own cost
beyond the libraries floor.

    .venv/bin/python benchmarks/bench_fixed_cost.py [--repeats 9] [--json out.json]
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

from harness import ODIBI, interleaved, measure, medians, parser, plugin_env, report

PROJECT = """\
project: fixed_cost
engine: duckdb
connections:
  raw: {type: local, base_path: .}
pipelines:
  - pipeline: small
    nodes:
      - name: src
        read: {connection: raw, format: csv, path: data.csv}
      - name: doubled
        depends_on: [src]
        transform:
          steps:
            - SELECT id, name, amount * 2 AS amount FROM src WHERE amount > 1
      - name: totals
        depends_on: [doubled]
        transform:
          steps:
            - SELECT count(*) AS n, sum(amount) AS total FROM doubled
        write: {connection: raw, format: csv, path: out.csv, mode: overwrite}
"""

HANDWRITTEN = """\
import duckdb
con = duckdb.connect()
con.execute("CREATE VIEW src AS SELECT * FROM read_csv('data.csv')")
con.execute(
    "CREATE VIEW doubled AS SELECT id, name, amount * 2 AS amount FROM src WHERE amount > 1"
)
con.execute("COPY (SELECT count(*) AS n, sum(amount) AS total FROM doubled) TO 'hand.csv' (HEADER)")
"""


FLOOR = """\
import sys
import duckdb
import pydantic
import typer
import yaml


class Node(pydantic.BaseModel):
    name: str
    depends_on: list[str] = []
    read: dict[str, str] | None = None
    transform: dict[str, list[str]] | None = None
    write: dict[str, str] | None = None


class Pipeline(pydantic.BaseModel):
    pipeline: str
    nodes: list[Node]


class Project(pydantic.BaseModel):
    project: str
    engine: str
    connections: dict[str, dict[str, str]]
    pipelines: list[Pipeline]


app = typer.Typer()


@app.command()
def run(project: str, env: str = typer.Option(None, "--env")) -> None:
    with open(project) as f:
        Project.model_validate(yaml.safe_load(f))
    exec(open("hand.py").read())


@app.command()
def validate(project: str) -> None:
    pass


typer.main.get_command(app).main(args=sys.argv[1:], standalone_mode=False)
"""
"""The libraries Odibi stands on doing the least they can: Typer parses ``run odibi.yaml``,
PyYAML loads the project, pydantic validates it into three models, then the hand-written DuckDB
work. What ``odibi run`` costs beyond this is Odibi's own."""


def make_project(folder: Path) -> Path:
    """Write the project, its 10-row CSV and the hand-written script into ``folder``."""
    rows = ["id,name,amount", *(f"{i},name {i},{i * 1.5}" for i in range(10))]
    (folder / "data.csv").write_text("\n".join(rows) + "\n")
    (folder / "odibi.yaml").write_text(PROJECT)
    (folder / "hand.py").write_text(HANDWRITTEN)
    (folder / "floor.py").write_text(FLOOR)
    return folder / "odibi.yaml"


def import_breakdown(folder: Path, env: dict[str, str]) -> tuple[float, dict[str, float]]:
    """Wall seconds of one ``-X importtime`` run and milliseconds of import self time per
    top-level package."""
    import time

    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", *ODIBI[1:], "run", "odibi.yaml"],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    wall = time.perf_counter() - start
    per: dict[str, float] = defaultdict(float)
    for self_us, name in re.findall(
        r"^import time:\s+(\d+) \|\s+\d+ \|\s*([\w.]+)", proc.stderr, re.M
    ):
        per[name.split(".")[0]] += int(self_us) / 1000
    return wall, dict(sorted(per.items(), key=lambda kv: -kv[1]))


def main() -> None:
    args = parser(__doc__, repeats=9).parse_args()
    folder = Path(tempfile.mkdtemp(prefix="odibi-bench-fixed-"))
    make_project(folder)
    env = plugin_env()
    results = interleaved(
        {
            "python -c pass": lambda: measure([sys.executable, "-c", "pass"], cwd=folder),
            "hand-written duckdb script": lambda: measure([sys.executable, "hand.py"], cwd=folder),
            "typer+yaml+pydantic+duckdb floor": lambda: measure(
                [sys.executable, "floor.py", "run", "odibi.yaml"], cwd=folder
            ),
            "odibi run (3 nodes, 10 rows)": lambda: measure(
                [*ODIBI, "run", "odibi.yaml"], cwd=folder, env=env
            ),
        },
        args.repeats,
    )
    wall, per = import_breakdown(folder, env)
    imports = sum(per.values())
    top = ", ".join(f"{name} {ms:.0f}" for name, ms in list(per.items())[:12])
    report(
        "fixed cost of odibi run",
        results,
        baseline="python -c pass",
        json_path=args.json,
        extra={
            "one -X importtime run": f"{wall * 1000:.0f} ms wall, of which imports "
            f"{imports:.0f} ms "
            f"(self time, ms, by package: {top})",
            "dataframe libraries imported": ", ".join(
                m for m in ("pyarrow", "numpy", "pandas", "sqlglot") if m in per
            )
            or "none",
        },
    )
    hand = medians(results["hand-written duckdb script"])
    odibi = medians(results["odibi run (3 nodes, 10 rows)"])
    floor = medians(results["typer+yaml+pydantic+duckdb floor"])
    print(f"  odibi run / hand-written duckdb script: x{odibi.wall / hand.wall:.2f} wall")
    print(
        f"  odibi's own cost beyond the libraries floor: {(odibi.wall - floor.wall) * 1000:.0f} ms "
        f"wall, {(odibi.cpu - floor.cpu) * 1000:.0f} ms cpu"
    )


if __name__ == "__main__":
    main()
