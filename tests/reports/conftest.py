"""A project with a secret, a sensitive node, a masked column and a failing branch, for CLI
tests."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

SECRET_NAME = "STORY_API_TOKEN"
SECRET = "story-Tk-3Rv8nQ2w"

PROJECT = """\
project: story
reports: {samples: true}     # opt in, so the masks and the sensitive node are put to the test
connections:
  raw: {type: local, base_path: ./data}
  lake: {type: local, base_path: ./lake}
pipelines:
  - pipeline: nightly
    on_error: continue
    nodes:
      - name: orders
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
                SELECT o.order_id, c.email, c.region, o.amount
                FROM orders o JOIN customers c USING (customer_id)
                WHERE o.note <> '${secret:STORY_API_TOKEN}'
        validation: {not_null: [region]}
        write: {connection: lake, path: enriched.parquet}
      - name: totals
        depends_on: [enriched]
        transform: {steps: ["SELECT region, sum(amount) AS revenue FROM enriched GROUP BY region"]}
        write: {connection: lake, path: totals.parquet}
      - name: broken
        depends_on: [orders]
        transform:
          steps: ["SELECT missing_column FROM orders WHERE note = '${secret:STORY_API_TOKEN}'"]
      - name: after_broken
        depends_on: [broken]
        transform: {steps: ["SELECT * FROM broken"]}
        write: {connection: lake, path: after.parquet}
"""

EXPECTED_STATUS = {
    "orders": "success",
    "customers": "success",
    "enriched": "success",
    "totals": "success",
    "broken": "failed",
    "after_broken": "skipped",
}


@pytest.fixture
def story_project(tmp_path: Path) -> Callable[[], Path]:
    """``story_project()`` writes the project (and its data) and returns its folder."""

    def write() -> Path:
        root = tmp_path / "story"
        (root / "data").mkdir(parents=True)
        orders = ["order_id,customer_id,amount,note"]
        orders += [
            f"{i},{i % 3 + 1},{i * 2.5},{SECRET if i == 1 else 'n' + str(i)}" for i in range(1, 31)
        ]
        (root / "data" / "orders.csv").write_text("\n".join(orders) + "\n")
        (root / "data" / "customers.csv").write_text(
            "customer_id,email,region\n1,a@example.com,north\n2,b@example.com,south\n3,c@example.com,east\n"
        )
        (root / "odibi.yaml").write_text(textwrap.dedent(PROJECT))
        return root

    return write


@pytest.fixture
def secret_env() -> dict[str, str]:
    """Environment additions that set the project's secret."""
    return {SECRET_NAME: SECRET}


@pytest.fixture
def secret_value() -> str:
    """The project's secret value."""
    return SECRET


@pytest.fixture
def expected_status() -> dict[str, str]:
    """Each node's status after a run of the project."""
    return dict(EXPECTED_STATUS)
