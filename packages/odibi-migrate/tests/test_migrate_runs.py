"""An original 3.x project with custom ``transforms.py`` functions, vars and ``FROM df``: migrated
with ``odibi migrate`` and run with ``odibi run`` (both subprocesses), it gives the rows the
original functions compute; the functions run unchanged through the generated shim.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pyarrow.parquet as pq
from odibi_core.testing.cli import run_odibi

ORIGINAL = """
project: shop
engine: pandas
vars:
  min_amount: 2
connections:
  raw: {type: local, base_path: ./data}
  lake: {type: local, base_path: ./lake}
story: {connection: lake, path: stories}
system: {connection: lake, path: _system}
pipelines:
  - pipeline: orders
    nodes:
      - name: orders
        read: {connection: raw, format: csv, path: orders.csv}
        transform:
          steps:
            - sql: "SELECT id, amount FROM df WHERE amount >= ${vars.min_amount}"
            - function: add_tax
              params: {rate: 0.5}
            - function: only_big
              params: {threshold: 4}
        write: {connection: lake, format: parquet, path: orders.parquet}
"""

TRANSFORMS = """
from odibi import transform


@transform
def add_tax(context, current, rate=0.2):
    df = current.copy()
    df["gross"] = df["amount"] * (1 + rate)
    return df


@transform(name="only_big")
def keep_big_orders(context, params):
    df = context.df
    return df[df["gross"] > params.threshold]
"""

ORDERS = "id,amount\n1,1.0\n2,2.0\n3,4.0\n4,6.0\n"


def test_migrated_project_runs_the_original_functions_unchanged(
    write_project: Callable[..., Path], tmp_path: Path
) -> None:
    original = write_project(
        ORIGINAL, files={"transforms.py": TRANSFORMS, "data/orders.csv": ORDERS}
    )
    new = tmp_path / "new"
    migrated = run_odibi(["migrate", str(original.parent), "-o", str(new)])
    assert migrated.returncode == 0, migrated.stdout + migrated.stderr
    report = (new / "MIGRATION.md").read_text()
    assert "Nothing: every construct was converted." in report
    assert "function `add_tax` runs unchanged through the generated shim" in report
    assert "`vars:` (min_amount) substituted where used" in report
    assert (new / "legacy_transforms.py").read_text() == (
        original.parent / "transforms.py"
    ).read_text()

    (new / "data").mkdir()
    (new / "data" / "orders.csv").write_text(ORDERS)
    ran = run_odibi(["run", str(new)], cwd=new)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    rows = pq.read_table(new / "lake" / "orders.parquet").to_pylist()
    # amount >= 2 (the var), gross = amount * 1.5 (add_tax), gross > 4 (only_big)
    assert sorted((r["id"], r["gross"]) for r in rows) == [(3, 6.0), (4, 9.0)]
