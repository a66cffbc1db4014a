"""The console script's entry: the collector is paused only while the command starts."""

from __future__ import annotations

import gc
import subprocess
import sys
from pathlib import Path

CHECK = """
import gc, sys
from odibi_core.cli.entry import main
sys.argv = ["odibi", "--version"]
try:
    main()
except SystemExit as exc:
    code = exc.code
print(code, gc.isenabled(), gc.get_freeze_count() > 0)
"""

PROJECT = """\
project: gc_check
connections:
  raw: {type: local, base_path: .}
pipelines:
  - pipeline: p
    nodes:
      - name: src
        read: {connection: raw, format: csv, path: data.csv}
      - name: looked
        depends_on: [src]
        transform:
          steps:
            - function: look_at_the_collector
        write: {connection: raw, format: csv, path: out.csv, mode: overwrite}
"""

TRANSFORMS = """\
import gc
from pathlib import Path

from odibi_core import transform


@transform(frame="arrow")
def look_at_the_collector(table):
    Path("collector.txt").write_text(f"{gc.isenabled()} {gc.get_freeze_count() > 0}")
    return table
"""


def test_the_collector_runs_again_for_the_command_with_the_imports_frozen() -> None:
    out = subprocess.run(
        [sys.executable, "-c", CHECK], capture_output=True, text=True, check=True
    ).stdout.split()
    assert out[-3:] == ["0", "True", "True"]


def test_a_run_executes_its_nodes_with_the_collector_on(tmp_path: Path) -> None:
    """`odibi run` keeps the collector paused while it loads the project, never while nodes run
    (a long pipeline's cyclic garbage must be collected)."""
    (tmp_path / "data.csv").write_text("id,amount\n1,2.5\n2,3.5\n")
    (tmp_path / "odibi.yaml").write_text(PROJECT)
    (tmp_path / "transforms.py").write_text(TRANSFORMS)
    proc = subprocess.run(
        [sys.executable, "-m", "odibi_core", "run", "odibi.yaml"],
        cwd=tmp_path, capture_output=True, text=True, check=False, timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert (tmp_path / "collector.txt").read_text() == "True True"


def test_in_process_callers_keep_their_collector_as_they_had_it() -> None:
    """Only a pause made by the entry is undone: a host that turned the collector off keeps it
    off when the CLI (or its run command) resumes."""
    from odibi_core.cli import collector

    was = gc.isenabled()
    gc.disable()
    try:
        collector.resume()
        assert not gc.isenabled()
        assert not collector.paused()
    finally:
        if was:
            gc.enable()


def test_the_installed_console_script_is_this_entry() -> None:
    from importlib.metadata import entry_points

    (script,) = [e for e in entry_points(group="console_scripts") if e.name == "odibi"]
    assert script.value == "odibi_core.cli.entry:main"
