"""The API reference landing page: one entry per package, pointing at its own API pages.

Each package documents its public API in ``packages/<dist>/docs/api.md`` (or ``docs/api/*.md``)
with mkdocstrings ``::: module`` blocks; this page is rebuilt from what exists.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from odibi_docgen.common import GENERATED_NOTE, PACKAGES, REFERENCE, write_if_changed

PAGE = REFERENCE / "api.md"


def package_docs() -> list[tuple[str, Path]]:
    """``(site alias, docs folder)`` of every package with a ``mkdocs.yml``, sorted."""
    found = []
    for config in sorted(PACKAGES.glob("*/mkdocs.yml")):
        data = yaml.safe_load(config.read_text(encoding="utf-8")) or {}
        found.append(
            (
                str(data.get("site_name", config.parent.name)),
                config.parent / data.get("docs_dir", "docs"),
            )
        )
    return found


def api_pages(docs_dir: Path) -> list[Path]:
    """API pages of one package, relative to its docs folder."""
    pages = [docs_dir / "api.md"] if (docs_dir / "api.md").exists() else []
    pages += sorted((docs_dir / "api").glob("*.md"))
    return [p.relative_to(docs_dir) for p in pages]


def _title(path: Path) -> str:
    for line in path.read_text(encoding="utf-8").splitlines():
        match = re.match(r"#\s+(.*)", line)
        if match:
            return match.group(1).strip()
    return path.stem


def render() -> str:
    """The whole page."""
    out = [
        GENERATED_NOTE,
        "# API reference\n",
        "The public Python API of every Odibi package, rendered from its docstrings. Each package "
        "keeps its API pages next to its code (`packages/<dist>/docs/api.md` or `docs/api/`).\n",
    ]
    for alias, docs_dir in package_docs():
        out.append(f"## {alias}\n")
        pages = api_pages(docs_dir)
        if not pages:
            out.append("No API page yet.\n")
        for page in pages:
            out.append(f"- [{_title(docs_dir / page)}](../{alias}/{page.as_posix()})")
        out.append("")
    return "\n".join(out)


def generate() -> Path:
    """Write the page (only if it changed)."""
    write_if_changed(PAGE, render())
    return PAGE
