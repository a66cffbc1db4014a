"""Hand-written pages stay true to the code: included files, real transcripts, package docs."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"


def test_quickstart_includes_the_example_project_rather_than_a_copy(built_site: Any) -> None:
    page = (DOCS / "quickstart.md").read_text()
    assert '--8<-- "examples/quickstart/odibi.yaml"' in page
    assert '--8<-- "examples/quickstart/transforms.py"' in page
    example = (ROOT / "examples/quickstart/odibi.yaml").read_text()
    copied = [
        line for line in example.splitlines() if len(line.strip()) > 12 and line.strip() in page
    ]
    assert copied == []
    html = (built_site.site / "quickstart/index.html").read_text()
    assert "daily_sales" in html
    assert "add_margin" in html
    assert "region_totals.parquet" in html


def test_quickstart_shows_output_produced_at_build_time(built_site: Any) -> None:
    page = (DOCS / "quickstart.md").read_text()
    for step in ("validate", "graph", "dry-run", "run", "show"):
        assert f'--8<-- "docs/.generated/quickstart/{step}.txt"' in page
    run = (DOCS / ".generated/quickstart/run.txt").read_text()
    assert run.startswith("$ odibi run examples/quickstart/odibi.yaml\n")
    assert re.search(r"pipeline daily_sales run \d{8}T\d{6}Z-[0-9a-f]{8}: success", run)
    assert "region_totals  success           4 rows" in run
    html = (built_site.site / "quickstart/index.html").read_text()
    assert "valid (1 pipeline(s), 4 node(s), engine duckdb)" in html


def test_troubleshooting_messages_are_the_ones_the_code_prints(built_site: Any) -> None:
    assert built_site.returncode == 0, built_site.output
    page = (DOCS / "troubleshooting.md").read_text()
    generated = {p.stem for p in (DOCS / ".generated/troubleshooting").glob("*.txt")}
    included = set(re.findall(r'--8<-- "docs/.generated/troubleshooting/([^"]+)\.txt"', page))
    assert included == generated
    assert len(included) >= 15
    for heading, body in re.findall(r"^### `(.+?)`.*?\n(.*?)(?=^#|\Z)", page, flags=re.M | re.S):
        snippet = re.search(r'--8<-- "(docs/.generated/troubleshooting/[^"]+)"', body)
        if snippet is None:
            continue
        transcript = (ROOT / snippet.group(1)).read_text()
        for fragment in re.split(r"\.\.\.|`", heading):
            pattern = re.sub(
                r"\bN\b", r"\\d+", re.escape(fragment.strip())
            )  # N stands for a number
            assert re.search(pattern, transcript), f"{fragment.strip()!r} not in what Odibi printed"


def test_secrets_page_states_the_real_minimum_length() -> None:
    from odibi_core.redaction import MIN_SECRET_LENGTH

    page = (DOCS / "operations/secrets.md").read_text()
    assert f"shorter than {MIN_SECRET_LENGTH} characters" in page


def test_every_package_has_site_docs_and_an_api_page() -> None:
    packages = [p for p in sorted((ROOT / "packages").iterdir()) if (p / "pyproject.toml").exists()]
    assert packages
    three_lines = "site_name: {dist}\ndocs_dir: docs"
    for package in packages:
        dist = package.name
        config = package / "mkdocs.yml"
        assert config.exists(), (
            f"{dist}: add {config.relative_to(ROOT)} with:\n{three_lines.format(dist=dist)}"
        )
        data = yaml.safe_load(config.read_text())
        assert data["site_name"] == dist
        assert data.get("docs_dir", "docs") == "docs"
        assert "nav" not in data, f"{dist}: leave nav out, it is generated from docs/"
        docs = package / "docs"
        assert (docs / "index.md").exists(), f"{dist}: docs/index.md is the package's page"
        api_pages = [docs / "api.md"] if (docs / "api.md").exists() else []
        api_pages += sorted((docs / "api").glob("*.md"))
        module = dist.replace("-", "_")
        blocks = " ".join(p.read_text() for p in api_pages)
        assert f"::: {module}" in blocks, (
            f"{dist}: docs/api.md needs '::: {module}' (its API reference)"
        )
