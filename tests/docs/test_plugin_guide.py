"""The plugin guide quotes code that runs, and the facade's API page lists every public name."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from odibi_core.plugin import _SOURCES

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "docs" / "guides" / "writing-a-plugin.md"
API_PAGE = ROOT / "packages" / "odibi-core" / "docs" / "api" / "plugin.md"
EXCERPT = re.compile(r"<!-- excerpt: (?P<file>\S+) -->\n```python\n(?P<code>.*?)```", re.DOTALL)


def excerpts() -> list[tuple[str, str]]:
    return [(m.group("file"), m.group("code")) for m in EXCERPT.finditer(GUIDE.read_text())]


def test_the_guide_has_excerpts_of_both_worked_examples() -> None:
    files = {file for file, _ in excerpts()}
    assert {"tests/plugins_guide/sqlite_connection.py", "tests/plugins_guide/redis_state.py"} <= files


@pytest.mark.parametrize(("file", "code"), excerpts())
def test_each_excerpt_is_the_example_code_in_order(file: str, code: str) -> None:
    """Every line of the excerpt is a line of the file, in order; ``...`` stands for lines left out."""
    source = (ROOT / file).read_text().splitlines()
    position = 0
    for line in code.splitlines():
        if line.strip() == "...":
            continue
        try:
            position = source.index(line.rstrip(), position) + 1
        except ValueError:
            pytest.fail(f"{file}: the guide's line {line.strip()!r} is not in the file (in this order)")


def test_the_facade_page_lists_every_public_name_with_its_module() -> None:
    rows = {}
    for line in API_PAGE.read_text().splitlines():
        match = re.match(r"\| \[`(?P<module>[\w.]+)`\]\[[\w.]+\] \| (?P<names>.*) \|", line)
        if match:
            for name in re.findall(r"`(\w+)`", match.group("names")):
                rows[name] = match.group("module")
    assert rows == _SOURCES
