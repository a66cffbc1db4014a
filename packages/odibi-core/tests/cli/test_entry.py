"""The console script's entry: the collector is paused only while the CLI imports."""

from __future__ import annotations

import subprocess
import sys

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


def test_the_collector_runs_again_for_the_command_with_the_imports_frozen() -> None:
    out = subprocess.run(
        [sys.executable, "-c", CHECK], capture_output=True, text=True, check=True
    ).stdout.split()
    assert out[-3:] == ["0", "True", "True"]


def test_the_installed_console_script_is_this_entry() -> None:
    from importlib.metadata import entry_points

    (script,) = [e for e in entry_points(group="console_scripts") if e.name == "odibi"]
    assert script.value == "odibi_core.cli.entry:main"
