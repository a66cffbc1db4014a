"""A small shop project with a secret, a sensitive node, a masked column and a failing branch."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

SECRET_NAME = "SHOP_API_TOKEN"
SECRET = "tok-7Hq2xVb9Lm4Zp"


def _orders() -> str:
    lines = ["order_id,customer_id,amount,status,note"]
    for i in range(1, 41):
        note = SECRET if i == 2 else f"note {i}"
        lines.append(f"{i},{(i % 5) + 1},{i * 10.5:.2f},{'shipped' if i % 3 else 'pending'},{note}")
    return "\n".join(lines) + "\n"


CUSTOMERS = "customer_id,email,region\n" + "".join(
    f"{i},person{i}@example.com,{region}\n"
    for i, region in enumerate(["north", "south", "east", "west", "north"], 1)
)

NODES = """
      - name: orders
        description: "Raw orders <b>from the till</b>"
        read: {connection: raw, path: orders.csv}
      - name: customers
        sensitive: true
        read: {connection: raw, path: customers.csv}
      - name: enriched
        depends_on: [orders, customers]
        mask_columns: [email]
        transform:
          steps:
            - sql: |
                SELECT o.order_id, o.customer_id, c.email, c.region, o.amount, o.status
                FROM orders o JOIN customers c USING (customer_id)
                WHERE o.note <> '${secret:SHOP_API_TOKEN}'
        validation: {not_null: [region], row_count: {min: 1}}
        write: {connection: lake, path: enriched.parquet}
      - name: totals
        depends_on: [enriched]
        transform:
          steps: ["SELECT region, count(*) AS orders, sum(amount) AS revenue FROM enriched GROUP BY region"]
        write: {connection: lake, path: totals.parquet}
"""  # noqa: E501 (project YAML test data, kept one node per line)

FAILING_NODES = """
      - name: broken
        depends_on: [orders]
        transform:
          steps: ["SELECT order_id, no_such_column FROM orders WHERE note = '${secret:SHOP_API_TOKEN}'"]
      - name: after_broken
        depends_on: [broken]
        transform: {steps: ["SELECT * FROM broken"]}
        write: {connection: lake, path: after.parquet}
"""  # noqa: E501 (project YAML test data, kept one node per line)


def write_shop(
    root: Path, *, reports: dict[str, Any] | None = None, failing: bool = True, extra_yaml: str = ""
) -> Path:
    """Write the shop project under ``root``; return its project file.

    Its reports show samples (``reports.samples: true``) unless ``reports`` says otherwise: the
    tests look at what a sample shows; the default (off) has its own tests."""
    reports = {"samples": True, **(reports or {})}
    (root / "data").mkdir(parents=True, exist_ok=True)
    (root / "data" / "orders.csv").write_text(_orders())
    (root / "data" / "customers.csv").write_text(CUSTOMERS)
    reports_yaml = f"reports: {json.dumps(reports)}\n"
    text = (
        textwrap.dedent("""\
        project: shop
        connections:
          raw: {type: local, base_path: ./data}
          lake: {type: local, base_path: ./lake}
        """)
        + reports_yaml
        + extra_yaml
        + textwrap.dedent("""\
        pipelines:
          - pipeline: daily
            on_error: continue
            nodes:
        """)
        + NODES.strip("\n")
        + "\n"
        + (FAILING_NODES.strip("\n") + "\n" if failing else "")
    )
    path = root / "odibi.yaml"
    path.write_text(text)
    return path


@pytest.fixture
def shop(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, clean_redaction: None
) -> Callable[..., Path]:
    """``shop(reports=..., failing=...)`` writes the project in a fresh folder, secret set."""
    monkeypatch.setenv(SECRET_NAME, SECRET)
    counter = iter(range(1000))

    def make(**kwargs: Any) -> Path:
        return write_shop(tmp_path / f"shop{next(counter)}", **kwargs)

    return make


@pytest.fixture
def shop_secret() -> str:
    """The secret value the shop project resolves through ``${secret:SHOP_API_TOKEN}``."""
    return SECRET


@pytest.fixture
def run_shop() -> Callable[..., list[Any]]:
    """``run_shop(project_file, **RunOptions)``: load and run in process; the run results."""
    return _run


def _run(project_file: Path, **options: Any) -> list[Any]:
    """Load and run a project in process (fresh plugin manager, builtins only)."""
    from odibi_core.config.loader import load_project
    from odibi_core.execution.runner import RunOptions, run_project
    from odibi_core.plugins.loader import PluginSettings
    from odibi_core.plugins.manager import create_plugin_manager

    pm = create_plugin_manager(PluginSettings(), load_entry_points=False)
    project = load_project(project_file, pm=pm)
    return run_project(project, pm, RunOptions(**options))
