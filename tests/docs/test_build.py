"""The docs site builds strictly, and strictness really fails on the problems it should."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
Build = Any


def test_docs_build_is_strict_and_clean(built_site: Build) -> None:
    assert built_site.returncode == 0, built_site.output
    warnings = [line for line in built_site.output.splitlines() if "WARNING" in line]
    assert warnings == []
    assert "Documentation built" in built_site.output
    script = (ROOT / "scripts/docs.sh").read_text().splitlines()
    runs = [line for line in script if "mkdocs build" in line and not line.lstrip().startswith("#")]
    assert runs, "scripts/docs.sh must run mkdocs build"
    assert all("--strict" in line and " -q" not in line for line in runs)


def test_site_has_home_api_reference_and_search_index(built_site: Build) -> None:
    site = built_site.site
    assert (
        "Odibi is a <strong>plugin-first microkernel</strong>" in (site / "index.html").read_text()
    )
    api = (site / "odibi-core/api/manager/index.html").read_text()
    assert "OdibiPluginManager" in api
    assert "create_plugin_manager" in api
    index = json.loads((site / "search/search_index.json").read_text())
    locations = {doc["location"] for doc in index["docs"]}
    assert "quickstart/" in locations
    assert any(loc.startswith("reference/configuration/") for loc in locations)


def test_docstring_roles_became_links(built_site: Build) -> None:
    html = (built_site.site / "odibi-core/api/hookspecs/index.html").read_text()
    assert ":class:`" not in html
    assert ":func:`" not in html
    assert 'href="../types/#odibi_core.plugins.types.EngineSpec"' in html
    assert "Example::" not in html


def _copy_tree(tmp: Path) -> Path:
    """A copy of everything the docs build reads, generated pages included."""
    work = tmp / "repo"
    for rel in ("docs", "examples", "scripts", "tools"):
        shutil.copytree(
            ROOT / rel, work / rel, ignore=shutil.ignore_patterns("__pycache__", "lake", ".odibi")
        )
    shutil.copy(ROOT / "mkdocs.yml", work / "mkdocs.yml")
    (work / ".venv").symlink_to(ROOT / ".venv")
    for config in ROOT.glob("packages/*/mkdocs.yml"):
        package = config.parent
        target = work / "packages" / package.name
        shutil.copytree(package / "docs", target / "docs")
        shutil.copytree(
            package / "src", target / "src", ignore=shutil.ignore_patterns("__pycache__")
        )
        shutil.copy(config, target / "mkdocs.yml")
    return work


def test_build_fails_on_broken_link_missing_page_and_unresolved_docstring_reference(
    built_site: Build, mkdocs_only: Callable[..., Build], tmp_path: Path
) -> None:
    assert built_site.returncode == 0, "the clean build must pass first"
    work = _copy_tree(tmp_path)
    page = work / "docs/concepts.md"
    page.write_text(page.read_text() + "\nSee [the lost page](no-such-page.md).\n")
    config = work / "mkdocs.yml"
    config.write_text(
        config.read_text().replace(
            "      - Architecture: architecture.md",
            "      - Architecture: architecture.md\n  - Gone: gone.md",
        )
    )
    probe = work / "packages/odibi-core/src/odibi_docs_probe.py"
    probe.write_text(
        '"""Probe module.\n\nSee :class:`odibi_core.errors.NoSuchError` and '
        '[`Nope`][odibi_core.nope.Nope]."""\n'
    )
    (work / "packages/odibi-core/docs/api/probe.md").write_text("# Probe\n\n::: odibi_docs_probe\n")

    broken = mkdocs_only(work / "site", cwd=work)

    assert broken.returncode != 0
    assert "no-such-page.md" in broken.output  # broken link
    assert "gone.md" in broken.output  # nav entry without a page
    assert "odibi_core.errors.NoSuchError" in broken.output  # role to nothing
    assert "odibi_core.nope.Nope" in broken.output  # cross-reference autorefs cannot resolve
    assert "Aborted with" in broken.output
    assert "strict mode" in broken.output
