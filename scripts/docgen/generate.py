"""Run every generator (the order does not matter; each writes only when its output changed)."""

from __future__ import annotations

import time
from pathlib import Path

from docgen import (
    api_index,
    cli_ref,
    config_ref,
    exit_codes,
    hooks_ref,
    quickstart,
    troubleshooting,
)


def generate_all(*, verbose: bool = False) -> list[Path]:
    """Write every generated page and snippet; return their paths."""
    written: list[Path] = []
    for module in (
        config_ref,
        cli_ref,
        hooks_ref,
        exit_codes,
        api_index,
        quickstart,
        troubleshooting,
    ):
        start = time.perf_counter()
        result = module.generate()
        written += result if isinstance(result, list) else [result]
        if verbose:
            name = module.__name__.split(".")[-1]
            print(f"docs: {name} generated in {time.perf_counter() - start:.2f}s")
    return written
