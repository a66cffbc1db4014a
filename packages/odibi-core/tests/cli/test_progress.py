"""The terminal progress display is an ordinary lifecycle plugin."""

from __future__ import annotations

import io
import shutil
from importlib import resources
from pathlib import Path

from odibi_core.cli.progress import ProgressPlugin
from odibi_core.config.loader import load_project
from odibi_core.execution.runner import run_project
from odibi_core.plugins.loader import PluginSettings
from odibi_core.plugins.manager import create_plugin_manager
from rich.console import Console


def test_progress_plugin_draws_and_clears(tmp_path: Path) -> None:
    shutil.copytree(Path(str(resources.files("odibi_core.cli") / "template")), tmp_path / "p")
    out = io.StringIO()
    plugin = ProgressPlugin(Console(file=out, force_terminal=True, width=100))
    pm = create_plugin_manager(
        PluginSettings(autoload=False), extra_plugins=[("odibi-progress", plugin)]
    )
    results = run_project(load_project(tmp_path / "p" / "odibi.yaml", pm=pm), pm)
    assert results[0].ok
    drawn = out.getvalue()
    assert "daily_sales" in drawn
    assert "4/4" in drawn
    assert plugin._running == []
