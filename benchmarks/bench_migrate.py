"""Benchmarks of issue 17: `odibi migrate` of a 50-node project, deduplicate + scd2 on 2M rows.

    .venv/bin/python benchmarks/bench_migrate.py

Prints the time to migrate a generated 50-node original project (target: under 2 s, CLI as a
subprocess; medians of five runs, wall and CPU, against `odibi --version` as the floor), and
the time of the SQL the `deduplicate` and `scd2` transformers render over 2,000,000 rows on
DuckDB against the same SQL written by hand, with their ratio (target <= 1.3).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROWS = 2_000_000
ODIBI = [sys.executable, "-m", "odibi_core.cli.entry"]


NODE_KINDS = (
    lambda i: {
        "transformer": "deduplicate",
        "params": {"keys": ["id"], "order_by": "ts DESC"},
        "transform": {
            "steps": [{"sql": f"SELECT *, amount * {i} AS scaled FROM df WHERE amount > {i}"}]
        },
    },
    lambda i: {
        "depends_on": [f"n{i - 1}"],
        "transform": {
            "steps": [
                {
                    "sql": f"WITH recent AS (SELECT * FROM df WHERE ts >= '${{date:-{i}d}}') "
                    f"SELECT r.id, sum(r.amount) AS total FROM recent r GROUP BY r.id"
                }
            ]
        },
    },
    lambda i: {
        "transformer": "scd2",
        "params": {"keys": ["id"], "track_cols": ["name"], "effective_time_col": "ts"},
    },
    lambda i: {
        "transform": {
            "steps": [
                {"function": "clean_names", "params": {"column": "name"}},
                {"operation": "drop_duplicates", "params": {"subset": ["id"]}},
            ]
        },
    },
    lambda i: {
        "transform": {
            "steps": [
                {"transformer": "fill_nulls", "params": {"values": {"amount": 0}}},
                {"sql": f"SELECT df.*, {i} AS batch FROM df JOIN df AS prev USING (id)"},
            ]
        },
    },
)
"""Five kinds of original nodes, cycled, so the 50 nodes exercise different converters."""


def original_project(nodes: int = 50) -> dict[str, object]:
    """An original 3.x-style project of ``nodes`` varied nodes."""
    out = []
    for i in range(nodes):
        node: dict[str, object] = {
            "name": f"n{i}",
            "read": {
                "connection": "raw",
                "format": "csv",
                "path": f"f{i}.csv",
                "incremental": {"column": "ts", "lookback": i % 7 + 1, "unit": "day"},
            },
            "validation": {
                "tests": [
                    {"type": "not_null", "columns": ["id"]},
                    {"type": "range", "column": "amount", "min": 0},
                    {"type": "accepted_values", "column": "name", "values": ["a", "b"]},
                ]
            },
            "write": {"connection": "out", "format": "parquet", "path": f"n{i}.parquet"},
        }
        node.update(NODE_KINDS[i % len(NODE_KINDS)](i))
        if "depends_on" in node:
            node.pop("read")
        out.append(node)
    return {
        "project": "bench",
        "engine": "pandas",
        "vars": {"env": "dev"},
        "connections": {
            "raw": {"type": "local", "base_path": "./raw"},
            "out": {"type": "local", "base_path": "./out"},
        },
        "story": {"connection": "out", "path": "stories"},
        "system": {"connection": "out", "path": "_sys"},
        "pipelines": [{"pipeline": "p", "nodes": out}],
    }


def timed_runs(args: list[str], runs: int = 5) -> tuple[float, float]:
    """Median wall time and median CPU time (user + system) of ``odibi ARGS`` as a subprocess."""
    import resource
    import statistics

    walls, cpus = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run([*ODIBI, *args], check=True, capture_output=True)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return statistics.median(walls), statistics.median(cpus)


def bench_migrate(tmp: Path) -> None:
    """``odibi migrate`` of a 50-node project against ``odibi --version`` (the CLI's floor)."""
    old = tmp / "old"
    old.mkdir()
    (old / "odibi.yaml").write_text(yaml.safe_dump(original_project(), sort_keys=False))
    new = tmp / "new"
    migrate_wall, migrate_cpu = timed_runs(["migrate", str(old), "-o", str(new), "--force"])
    floor_wall, floor_cpu = timed_runs(["--version"])
    print(
        f"odibi migrate, 50 nodes: {migrate_wall:.2f} s wall, {migrate_cpu:.2f} s CPU "
        f"(target < 2 s); odibi --version {floor_wall:.2f} s wall, {floor_cpu:.2f} s CPU; "
        f"ratio {migrate_wall / floor_wall:.1f}x wall, {migrate_cpu / floor_cpu:.1f}x CPU"
    )


def bench_sql() -> tuple[float, float]:
    import duckdb
    from odibi_core.plugins.types import TransformerContext
    from odibi_transformers.library import all_transformers

    specs = {s.name: s for s in all_transformers()}
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE src AS SELECT i % 500000 AS id, 'n' || (i % 7) AS name, "
        f"TIMESTAMP '2024-01-01' + to_seconds(i) AS ts FROM range({ROWS}) t(i)"
    )
    con.execute(
        "CREATE TABLE target AS SELECT id, name, ts, NULL::TIMESTAMP AS valid_to, "
        "TRUE AS is_current FROM src WHERE ts < TIMESTAMP '2024-01-01' + to_seconds(500000)"
    )
    cols = ("id", "name", "ts")
    ctx = TransformerContext(
        "duckdb", "src", (), None, {"src": cols}, {"src": ("BIGINT", "VARCHAR", "TIMESTAMP")}
    )
    dedup = specs["deduplicate"].render(
        specs["deduplicate"].params_model(keys=["id"], order_by="ts DESC"), ctx
    )
    con.execute(f"CREATE VIEW d AS {dedup.replace(chr(34) + 'src' + chr(34), 'src')}")
    ctx2 = TransformerContext(
        "duckdb", "d", (), "target", {"d": cols, "target": (*cols, "valid_to", "is_current")}
    )
    scd = specs["scd2"].render(
        specs["scd2"].params_model(keys=["id"], track_cols=["name"], effective_time_col="ts"), ctx2
    )
    hand = """
      WITH d AS (SELECT id, name, ts
                 FROM (SELECT *, row_number() OVER (PARTITION BY id ORDER BY ts DESC) rn FROM src)
                 WHERE rn = 1),
           cur AS (SELECT * FROM target WHERE is_current)
      SELECT t.id, t.name, t.ts, t.valid_to, t.is_current FROM target t
        WHERE NOT (t.is_current AND t.id IN (
          SELECT d.id FROM d JOIN cur USING (id) WHERE d.name IS DISTINCT FROM cur.name))
      UNION ALL SELECT c.id, c.name, c.ts, CAST(d.ts AS TIMESTAMP), FALSE
        FROM cur c JOIN d USING (id) WHERE d.name IS DISTINCT FROM c.name
      UNION ALL SELECT d.id, d.name, d.ts, NULL, TRUE FROM d JOIN cur USING (id)
        WHERE d.name IS DISTINCT FROM cur.name
      UNION ALL SELECT d.id, d.name, d.ts, NULL, TRUE FROM d LEFT JOIN cur USING (id)
        WHERE cur.id IS NULL"""

    def timed(sql: str) -> float:
        best = float("inf")
        for _ in range(3):
            start = time.perf_counter()
            con.execute(f"SELECT count(*) FROM ({sql})").fetchall()
            best = min(best, time.perf_counter() - start)
        return best

    return timed(scd), timed(hand)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        bench_migrate(Path(tmp))
    generated, hand = bench_sql()
    print(
        f"deduplicate + scd2 over {ROWS:,} rows on duckdb: transformers {generated:.2f} s, "
        f"hand-written {hand:.2f} s, ratio {generated / hand:.2f} (target <= 1.3)"
    )


if __name__ == "__main__":
    main()
