"""Run every generator (the order does not matter; each writes only when its output changed)."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from odibi_docgen import (
    api_index,
    cli_ref,
    config_ref,
    exit_codes,
    hooks_ref,
    quickstart,
    transcripts,
    transformers_ref,
    troubleshooting,
)

PAGES = (config_ref, cli_ref, hooks_ref, exit_codes, transformers_ref, api_index)
"""Reference pages, each written by its module's ``generate()``."""

TRANSCRIPT_GROUPS = (quickstart, troubleshooting)
"""Command transcripts, each group's ``prepare(workdir)`` lays out files and returns its steps;
all steps run in one worker process (one interpreter start-up for the whole build)."""


def generate_all(*, verbose: bool = False) -> list[Path]:
    """Write every generated page and snippet; return their paths."""
    jobs: list[tuple[str, Callable[[], Path | list[Path]]]] = [
        (m.__name__.split(".")[-1], m.generate) for m in PAGES
    ]
    jobs.append(
        ("transcripts", lambda: transcripts.generate([g.prepare for g in TRANSCRIPT_GROUPS]))
    )
    written: list[Path] = []
    for name, job in jobs:
        start = time.perf_counter()
        result = job()
        written += result if isinstance(result, list) else [result]
        if verbose:
            print(f"docs: {name} generated in {time.perf_counter() - start:.2f}s")
    return written
