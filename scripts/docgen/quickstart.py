"""Run the quickstart example for real and keep the transcripts the quickstart page includes.

The example is copied to a temporary folder laid out like the repository, and each command runs
there as the page shows it. To keep the docs build fast, one worker process runs every step in
turn (``odibi`` through its real entry point :func:`odibi_core.cli.main.main`, stdout and stderr
captured) instead of paying the interpreter start-up once per step. Run ids, clock times and
durations change from build to build: the files are only rewritten when something else changed.
"""

from __future__ import annotations

import contextlib
import io
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

EXAMPLE = "examples/quickstart"
PROJECT = f"{EXAMPLE}/odibi.yaml"

VOLATILE = (
    r"\d{8}T\d{6}Z-[0-9a-f]{8}",  # run ids
    r"\b\d\d:\d\d:\d\d\b",  # log clock times
    r"\d+\.\d+s\b",  # durations
)

SHOW_OUTPUT = f"import duckdb; duckdb.read_parquet('{EXAMPLE}/lake/region_totals.parquet').show()"

STEPS: tuple[tuple[str, list[str]], ...] = (
    ("validate", ["odibi", "validate", PROJECT]),
    ("graph", ["odibi", "graph", PROJECT]),
    ("dry-run", ["odibi", "run", PROJECT, "--dry-run"]),
    ("run", ["odibi", "run", PROJECT]),
    ("show", ["python", "-c", SHOW_OUTPUT]),
)
"""``(transcript name, command as the page shows it)``, run in this order."""


def shown(command: list[str]) -> str:
    """The command as a shell line."""
    return " ".join(f'"{a}"' if " " in a else a for a in command)


def _run_step(command: list[str]) -> tuple[int, str]:
    """Run one step in this process; return its exit code and its combined output."""
    buffer = io.StringIO()
    code = 0
    with contextlib.redirect_stdout(buffer), contextlib.redirect_stderr(buffer):
        try:
            if command[0] == "odibi":
                from odibi_core.cli.main import main

                main(command[1:])
            else:
                exec(compile(command[2], "<quickstart>", "exec"), {"__name__": "__main__"})
        except SystemExit as exc:
            code = int(exc.code or 0)
    return code, buffer.getvalue()


def _worker(workdir: str) -> None:
    """Entry point of the worker process: run every step in ``workdir``, print JSON results."""
    import os

    os.chdir(workdir)
    results = {}
    for name, command in STEPS:
        code, output = _run_step(command)
        results[name] = {"code": code, "output": output}
        if code != 0:
            break
    sys.__stdout__.write(json.dumps(results))


def generate() -> list[Path]:
    """Run every step; write ``docs/.generated/quickstart/<step>.txt``; fail loudly on an error."""
    from docgen.common import ROOT, SNIPPETS, write_if_changed

    written: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="odibi-docs-") as tmp:
        shutil.copytree(ROOT / EXAMPLE, Path(tmp) / EXAMPLE,
                        ignore=shutil.ignore_patterns("lake", ".odibi", "__pycache__", ".env"))
        proc = subprocess.run([sys.executable, __file__, tmp], capture_output=True, text=True,
                              timeout=300, check=False)
        if proc.returncode != 0:
            raise RuntimeError(f"quickstart worker failed:\n{proc.stdout}{proc.stderr}")
        results = json.loads(proc.stdout)
    for name, command in STEPS:
        result = results.get(name)
        if result is None or result["code"] != 0:
            detail = result["output"] if result else "(not run)"
            raise RuntimeError(f"quickstart step {shown(command)!r} failed:\n{detail}")
        transcript = f"$ {shown(command)}\n{result['output']}".rstrip() + "\n"
        path = SNIPPETS / "quickstart" / f"{name}.txt"
        write_if_changed(path, transcript, volatile=VOLATILE)
        written.append(path)
    return written


if __name__ == "__main__":
    _worker(sys.argv[1])
