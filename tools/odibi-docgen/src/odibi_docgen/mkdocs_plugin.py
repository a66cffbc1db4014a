"""The Odibi site's MkDocs plugin ``odibi-docgen`` (the last entry of ``plugins:`` in mkdocs.yml).

* ``on_config`` (first of all plugins, before mkdocs-monorepo-plugin copies the docs folders)
  runs every generator, so ``mkdocs build``, ``mkdocs serve`` and ``mike deploy`` always publish
  references generated from the code that is installed. ``scripts/docs.sh`` runs the generators
  itself and sets ``ODIBI_DOCS_GENERATED=1`` to skip the second pass.
* ``on_page_markdown`` keeps a link to a page of :data:`PENDING` as plain text while that page is
  not part of the build (it is written on another branch); once the page exists the link is a link
  and is checked like any other. Any other broken link fails the strict build.
* ``on_nav`` lists pages that have no nav entry yet in the section of their folder (a new guide in
  ``docs/guides/`` or ``docs/operations/`` appears without editing ``mkdocs.yml``), and orders
  each package's section: its ``index.md`` first, its API pages last.
"""

from __future__ import annotations

import itertools
import logging
import os
import posixpath
import re
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import Files
from mkdocs.structure.nav import Navigation, Section
from mkdocs.structure.pages import Page

AUTO_SECTIONS = ("guides/", "operations/")
"""Folders whose pages join their nav section automatically."""

PENDING = (
    "guides/writing-a-plugin.md",
    "odibi-core/secrets.md",
    "odibi-core/reports.md",
    "odibi-core/doctor.md",
    "odibi-core/engines.md",
    "odibi-state-local/",
    "odibi-state-azure/",
    "odibi-connector-postgres/",
    "odibi-otel/",
    "odibi-engine-spark/",
)
"""Pages (or package folders) the guides link to that are being written alongside these docs."""

LINK = re.compile(r"(?<!!)\[(?P<text>[^\]]+)\]\((?P<target>[^)\s#]+\.md)(?P<anchor>#[^)\s]*)?\)")

log = logging.getLogger("mkdocs.plugins.odibi_docs")


class DocgenPlugin(BasePlugin):
    """Generates the references, keeps pending links as text and completes the nav."""

    @event_priority(100)
    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        """Generate the reference pages before anything reads the docs folder."""
        if os.environ.get("ODIBI_DOCS_GENERATED") != "1":
            from odibi_docgen.generate import generate_all

            generate_all()
        return config

    def on_page_markdown(
        self, markdown: str, /, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str:
        """Links to pending pages that are not in this build become plain text."""
        return pending_links_as_text(markdown, page, files)

    def on_nav(self, nav: Navigation, /, *, config: MkDocsConfig, files: Files) -> Navigation:
        """Add unlisted guide pages to their section; order package sections."""
        return complete_nav(nav, files)


def pending_links_as_text(markdown: str, page: Page, files: Files) -> str:
    """Links to pending pages that are not in this build become plain text."""

    def replace(match: re.Match[str]) -> str:
        target = match.group("target")
        if "://" in target:
            return match.group(0)
        uri = posixpath.normpath(posixpath.join(posixpath.dirname(page.file.src_uri), target))
        if files.get_file_from_path(uri) is not None or not uri.startswith(PENDING):
            return match.group(0)
        log.info("%s: link to %s kept as text (page not in this build yet)", page.file.src_uri, uri)
        return match.group("text")

    return LINK.sub(replace, markdown)


def complete_nav(nav: Navigation, files: Files) -> Navigation:
    """Add unlisted guide pages to their section; order package sections."""
    listed = {id(p) for p in nav.pages}
    for folder in AUTO_SECTIONS:
        section = _section_of(nav.items, folder)
        if section is None:
            continue
        extra = sorted(
            (
                f.page
                for f in files.documentation_pages()
                if f.src_uri.startswith(folder) and f.page is not None and id(f.page) not in listed
            ),
            key=lambda p: p.file.src_uri,
        )
        for page in extra:
            page.parent = section
            section.children.append(page)
    packages = next(
        (i for i in nav.items if isinstance(i, Section) and i.title == "Packages"), None
    )
    if packages is not None:
        for package in packages.children:
            if isinstance(package, Section):
                _order_package(package)
    nav.pages = _pages_in_order(nav.items)
    return nav


def _section_of(items: list[Any], folder: str) -> Section | None:
    for item in items:
        if isinstance(item, Section):
            if any(
                isinstance(c, Page) and c.file.src_uri.startswith(folder) for c in item.children
            ):
                return item
            found = _section_of(item.children, folder)
            if found is not None:
                return found
    return None


def _order_package(section: Section) -> None:
    def rank(item: Any) -> tuple[int, str]:
        if isinstance(item, Page) and item.file.src_uri.endswith("/index.md"):
            return (0, "")
        if isinstance(item, Section):
            return (2, item.title or "")
        return (1, "")

    section.children.sort(key=rank)
    for child in section.children:
        if isinstance(child, Section) and (child.title or "").lower() == "api":
            child.title = "API reference"


def _pages_in_order(items: list[Any]) -> list[Page]:
    pages: list[Page] = []
    for item in items:
        if isinstance(item, Page):
            pages.append(item)
        elif isinstance(item, Section):
            pages += _pages_in_order(item.children)
    for previous, current in itertools.pairwise(pages):
        previous.next_page, current.previous_page = current, previous
    if pages:
        pages[0].previous_page, pages[-1].next_page = None, None
    return pages
