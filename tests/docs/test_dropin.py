"""A new package and an installed plugin join the site with no change to the site's files.

A copy of the repository gets a package folder (``mkdocs.yml`` + ``docs/``), a new guide, and a
plugin distribution on ``PYTHONPATH`` (a real ``.dist-info`` with an ``odibi.plugins`` entry point)
that registers a connection type with a config model and a CLI command. One strict build must
list all of them: the package in the nav, its API page, its config keys and its command.
"""

from __future__ import annotations

import shutil
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]

PLUGIN = '''\
"""A plugin used by the docs tests; see :class:`odibi_core.plugins.types.ConnectionSpec`."""

from __future__ import annotations

from odibi_core import hookimpl
from odibi_core.plugins.options import PluginOptions
from odibi_core.plugins.types import CliCommandSpec, ConnectionSpec


class FakeOptions(PluginOptions):
    """Options of the ``fake`` connection."""

    endpoint: str
    retries: int = 2


def _app():
    import typer

    app = typer.Typer(help="Fake commands.")

    @app.command()
    def ping(count: int = typer.Option(1, "--count", help="How many pings.")) -> None:
        """Ping the fake service."""

    return app


@hookimpl
def odibi_connections() -> list[ConnectionSpec]:
    """Register ``fake``."""
    return [ConnectionSpec("fake", lambda options, ctx: None, FakeOptions, "A fake service")]


@hookimpl
def odibi_cli_commands() -> list[CliCommandSpec]:
    """Register ``odibi fake``."""
    return [CliCommandSpec("fake", _app, "Fake commands.")]
'''


def _repo_copy(tmp: Path) -> Path:
    work = tmp / "repo"
    for rel in ("docs", "examples", "scripts", "tools"):
        shutil.copytree(
            ROOT / rel, work / rel, ignore=shutil.ignore_patterns("__pycache__", "lake")
        )
    shutil.copy(ROOT / "mkdocs.yml", work / "mkdocs.yml")
    (work / ".venv").symlink_to(ROOT / ".venv")
    for config in ROOT.glob("packages/*/mkdocs.yml"):
        package = config.parent
        shutil.copytree(
            package,
            work / "packages" / package.name,
            ignore=shutil.ignore_patterns("__pycache__", "tests"),
        )
    return work


def test_new_package_guide_and_plugin_drop_in(
    docs_builder: Callable[..., Any], tmp_path: Path
) -> None:
    work = _repo_copy(tmp_path)
    package = work / "packages/odibi-docs-fake"
    (package / "src/odibi_docs_fake").mkdir(parents=True)
    (package / "src/odibi_docs_fake/__init__.py").write_text(PLUGIN)
    (package / "docs").mkdir()
    (package / "docs/index.md").write_text("# odibi-docs-fake\n\nThe fake package's own page.\n")
    (package / "docs/api.md").write_text("# API reference\n\n::: odibi_docs_fake\n")
    (package / "mkdocs.yml").write_text("site_name: odibi-docs-fake\ndocs_dir: docs\n")
    (work / "docs/guides/writing-a-plugin.md").write_text("# Writing a plugin\n\nA new guide.\n")
    site_packages = tmp_path / "site-packages"
    dist_info = site_packages / "odibi_docs_fake-0.1.0.dist-info"
    dist_info.mkdir(parents=True)
    (dist_info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: odibi-docs-fake\nVersion: 0.1.0\n"
    )
    (dist_info / "entry_points.txt").write_text(
        textwrap.dedent("""\
        [odibi.plugins]
        fake = odibi_docs_fake
        """)
    )
    pythonpath = f"{site_packages}:{package / 'src'}"

    build = docs_builder(work / "site", cwd=work, extra_env={"PYTHONPATH": pythonpath})

    assert build.returncode == 0, build.output
    assert [line for line in build.output.splitlines() if "WARNING" in line] == []
    site = work / "site"
    assert "The fake package's own page." in (site / "odibi-docs-fake/index.html").read_text()
    api = (site / "odibi-docs-fake/api/index.html").read_text()
    assert "FakeOptions" in api
    assert 'href="../../odibi-core/api/types/#odibi_core.plugins.types.ConnectionSpec"' in api
    home = (site / "index.html").read_text()
    assert 'href="odibi-docs-fake/"' in home  # in the Packages nav
    guides = (site / "guides/index.html").read_text()
    assert 'href="writing-a-plugin/"' in guides  # the pending link became a real one
    config = (work / "docs/reference/configuration.md").read_text()
    assert "| `connections.<name>.endpoint` | string | required |" in config
    assert "Provided by `odibi-docs-fake`" in config
    cli = (work / "docs/reference/cli.md").read_text()
    assert "`odibi fake ping`" in cli
    assert "`--count`" in cli
    assert "*Provided by the plugin distribution `odibi-docs-fake`.*" in cli
    assert (work / "docs/reference/api.md").read_text().count("odibi-docs-fake") >= 2
