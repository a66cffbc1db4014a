"""Run CLI commands for real and keep their output as snippets the guides include.

One worker process runs every step in turn (``odibi`` through its real entry point
:func:`odibi_core.cli.main.main`, stdout and stderr captured together, the exit code kept) rather
than paying the interpreter start-up once per command, which keeps the docs build fast. A step
whose exit code differs from the one the guide expects fails the build: a guide cannot go on
showing an error the code no longer raises.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

VOLATILE = (
    r"\d{8}T\d{6}Z-[0-9a-f]{8}",  # run ids
    r"\b\d\d:\d\d:\d\d\b",  # log clock times
    r"\d+\.\d+s\b",  # durations
    r"odibi-docs-[a-z0-9_]+",  # temporary folders
)
"""Parts of a transcript that change from run to run (ignored when deciding to rewrite)."""


@dataclass(frozen=True)
class Step:
    """One command as the page shows it, run in ``cwd`` (relative to the work folder)."""

    name: str
    command: list[str]
    cwd: str = "."
    expect_code: int = 0
    show_command: bool = True
    sys_path: str = ""
    """A folder (relative to the work folder) put on ``sys.path`` first: third-party plugins.
    It stays there for the following steps, so such steps run last."""


def shown(command: list[str]) -> str:
    """The command as a shell line."""
    return " ".join(f'"{a}"' if " " in a else a for a in command)


def _run_one(command: list[str]) -> tuple[int, str]:
    buffer = io.StringIO()
    code = 0
    with contextlib.redirect_stdout(buffer), contextlib.redirect_stderr(buffer):
        try:
            if command[0] == "odibi":
                from odibi_core.cli.main import main

                main(command[1:])
            elif command[:2] == ["python", "-c"]:
                exec(compile(command[2], "<docs>", "exec"), {"__name__": "__main__"})
            else:
                raise ValueError(f"cannot run {command[0]!r} in a transcript")
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    return code, buffer.getvalue()


def _worker(workdir: str, steps_json: str) -> None:
    import importlib

    results = {}
    for raw in json.loads(steps_json):
        if raw["sys_path"]:
            sys.path.insert(0, str(Path(workdir) / raw["sys_path"]))
            importlib.invalidate_caches()
        os.chdir(Path(workdir) / raw["cwd"])
        code, output = _run_one(raw["command"])
        results[raw["name"]] = {"code": code, "output": output}
    sys.__stdout__.write(json.dumps(results))


def run_steps(workdir: Path, steps: list[Step]) -> dict[str, str]:
    """Run ``steps`` in ``workdir``; return ``{name: transcript}`` (``$ command`` + output)."""
    steps = sorted(steps, key=lambda s: bool(s.sys_path))  # stable: plugin steps last
    env = dict(os.environ)
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "odibi_docgen.transcripts",
            str(workdir),
            json.dumps([asdict(s) for s in steps]),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env=env,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"transcript worker failed:\n{proc.stdout}{proc.stderr}")
    results = json.loads(proc.stdout)
    transcripts = {}
    for step in steps:
        result = results[step.name]
        if result["code"] != step.expect_code:
            raise RuntimeError(
                f"docs step {step.name!r} ({shown(step.command)}) exited {result['code']}, "
                f"the guide expects {step.expect_code}:\n{result['output']}"
            )
        text = f"{result['output'].rstrip()}\n"
        if step.show_command:
            text = f"$ {shown(step.command)}\n{text}"
        if step.expect_code and step.show_command:
            text += f"$ echo $?\n{result['code']}\n"
        transcripts[step.name] = text
    return transcripts


def generate(preparers: list[Callable[[Path], list[Step]]]) -> list[Path]:
    """Lay out every group's files in one work folder, run all steps in one worker process,
    write ``docs/.generated/<step name>.txt`` (only where more than timings changed)."""
    from odibi_docgen.common import SNIPPETS, write_if_changed

    with tempfile.TemporaryDirectory(prefix="odibi-docs-") as tmp:
        steps = [step for prepare in preparers for step in prepare(Path(tmp))]
        transcripts = run_steps(Path(tmp), steps)
    written = []
    for name, text in transcripts.items():
        path = SNIPPETS / f"{name}.txt"
        write_if_changed(path, text, volatile=VOLATILE)
        written.append(path)
    return written


if __name__ == "__main__":
    _worker(sys.argv[1], sys.argv[2])
