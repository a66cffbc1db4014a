"""The quickstart's transcripts: the example project run for real on every docs build.

The example is copied to a temporary folder laid out like the repository and each command runs
there exactly as the quickstart page shows it, so the output on the page is the output of this
version of Odibi with the plugins installed at build time.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from odibi_docgen.common import ROOT
from odibi_docgen.transcripts import Step

EXAMPLE = "examples/quickstart"
PROJECT = f"{EXAMPLE}/odibi.yaml"

STEPS = [
    Step("quickstart/validate", ["odibi", "validate", PROJECT]),
    Step("quickstart/graph", ["odibi", "graph", PROJECT]),
    Step("quickstart/dry-run", ["odibi", "run", PROJECT, "--dry-run"]),
    Step("quickstart/run", ["odibi", "run", PROJECT]),
    Step(
        "quickstart/show",
        [
            "python",
            "-c",
            f"import duckdb; duckdb.read_parquet('{EXAMPLE}/lake/region_totals.parquet').show()",
        ],
    ),
]
"""Run in this order; each becomes ``docs/.generated/<name>.txt``."""


def prepare(workdir: Path) -> list[Step]:
    """Copy the example into ``workdir`` as laid out in the repository; return the steps."""
    shutil.copytree(
        ROOT / EXAMPLE,
        workdir / EXAMPLE,
        ignore=shutil.ignore_patterns("lake", ".odibi", "__pycache__", ".env"),
    )
    return STEPS
