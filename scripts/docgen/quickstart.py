"""The quickstart's transcripts: the example project run for real on every docs build.

The example is copied to a temporary folder laid out like the repository and each command runs
there exactly as the quickstart page shows it, so the output on the page is the output of this
version of Odibi with the plugins installed at build time.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from docgen.common import ROOT, SNIPPETS, write_if_changed
from docgen.transcripts import VOLATILE, Step, run_steps

EXAMPLE = "examples/quickstart"
PROJECT = f"{EXAMPLE}/odibi.yaml"

STEPS = [
    Step("validate", ["odibi", "validate", PROJECT]),
    Step("graph", ["odibi", "graph", PROJECT]),
    Step("dry-run", ["odibi", "run", PROJECT, "--dry-run"]),
    Step("run", ["odibi", "run", PROJECT]),
    Step(
        "show",
        [
            "python",
            "-c",
            f"import duckdb; duckdb.read_parquet('{EXAMPLE}/lake/region_totals.parquet').show()",
        ],
    ),
]
"""Run in this order; each becomes ``docs/.generated/quickstart/<name>.txt``."""


def generate() -> list[Path]:
    """Run the steps and write their transcripts (only where something besides timings changed)."""
    with tempfile.TemporaryDirectory(prefix="odibi-docs-") as tmp:
        shutil.copytree(
            ROOT / EXAMPLE,
            Path(tmp) / EXAMPLE,
            ignore=shutil.ignore_patterns("lake", ".odibi", "__pycache__", ".env"),
        )
        transcripts = run_steps(Path(tmp), STEPS)
    written = []
    for name, text in transcripts.items():
        path = SNIPPETS / "quickstart" / f"{name}.txt"
        write_if_changed(path, text, volatile=VOLATILE)
        written.append(path)
    return written
