"""The HTML page: every node with its status, in the graph and in the text; escaped;
self-contained."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from odibi_core.reports.graph_svg import render_graph_svg
from odibi_core.reports.html import render_html


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _page(
    shop: Callable[..., Path], run_shop: Callable[..., list[Any]]
) -> tuple[str, dict[str, Any]]:
    project = shop(reports={"profile": True})
    run_shop(project)
    [report] = sorted((project.parent / ".odibi/reports").glob("*/*.json"))
    return report.with_suffix(".html").read_text(), json.loads(report.read_text())


def test_every_node_appears_with_its_status_in_graph_table_and_details(
    shop: Callable[..., Path], run_shop: Callable[..., list[Any]]
) -> None:
    html, data = _page(shop, run_shop)
    parser = _Collector()
    parser.feed(html)
    expected = {n["name"]: n["status"] for n in data["nodes"]}
    for tag in ("g", "tr", "article"):
        found = {
            a["data-node"]: a["data-status"]
            for t, a in parser.elements
            if t == tag and "data-node" in a
        }
        assert found == expected, tag
    anchors = {a.get("id") for t, a in parser.elements if t == "article"}
    links = {a.get("href") for t, a in parser.elements if t == "a"}
    assert {f"#{i}" for i in anchors} <= links  # graph and table link to every section


def test_text_is_escaped(shop: Callable[..., Path], run_shop: Callable[..., list[Any]]) -> None:
    html, _ = _page(shop, run_shop)
    assert "Raw orders &lt;b&gt;from the till&lt;/b&gt;" in html
    assert "<b>from the till</b>" not in html


def test_the_page_fetches_nothing(
    shop: Callable[..., Path], run_shop: Callable[..., list[Any]]
) -> None:
    html, _ = _page(shop, run_shop)
    parser = _Collector()
    parser.feed(html)
    tags = {t for t, _ in parser.elements}
    assert not tags & {"script", "link", "img", "iframe", "object", "embed"}
    for _, attrs in parser.elements:
        for name in ("src", "href", "action"):
            value = attrs.get(name) or ""
            assert not value or value.startswith("#"), f"{name}={value}"
    assert "@import" not in html
    assert re.findall(r"url\(([^)]*)\)", html) == ["#arrow"] * html.count("marker-end")
    # the only URL is the SVG namespace, an identifier that is never fetched
    assert re.findall(r"https?://[^\s\"'<>]+", html) == ["http://www.w3.org/2000/svg"]


def test_sections_show_sql_validations_schema_changes_sample_and_profile(
    shop: Callable[..., Path], run_shop: Callable[..., list[Any]]
) -> None:
    html, _ = _page(shop, run_shop)
    enriched = html[html.index('<article id="node-enriched"') :]
    enriched = enriched[: enriched.index("</article>")]
    assert "FROM orders o JOIN customers c USING (customer_id)" in enriched
    assert "not_null(region)" in enriched
    assert '<span class="removed">note</span>' in enriched
    assert "Sample (5 row(s))" in enriched
    assert "Profile (39 rows)" in enriched
    broken = html[html.index('<article id="node-broken"') :]
    shown = broken[: broken.index("</article>")]
    assert '<div class="error" title="EngineError"><b>node broken failed</b>: ' in shown


def test_graph_layout_draws_each_edge_and_survives_an_empty_pipeline() -> None:
    svg = render_graph_svg(
        [["a", "b"], ["c"]], [["a", "c"], ["b", "c"]], {"a": "success", "b": "failed"}
    )
    assert svg.count('class="edge') == 2
    assert 'data-node="c" data-status="unknown"' in svg
    assert 'data-edge="a-&gt;c"' in svg
    assert "<svg" in render_graph_svg([], [], {})


def test_render_accepts_a_report_with_extra_keys_from_a_newer_version(
    shop: Callable[..., Path], run_shop: Callable[..., list[Any]]
) -> None:
    _, data = _page(shop, run_shop)
    data["something_new"] = {"x": 1}
    data["nodes"][0]["also_new"] = True
    assert data["pipeline"] in render_html(data)
