"""Turn the reStructuredText habits of Odibi's docstrings into Markdown for the site.

Docstrings use Sphinx roles (``:class:`~odibi_core.errors.OdibiError```) and literal blocks
(``Example::`` followed by an indented block). MkDocs renders Markdown, so roles become
cross-references that mkdocs-autorefs resolves (a wrong target fails the strict build) and
literal blocks become fenced code blocks.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable

ROLE = re.compile(r":(?:py:)?(?P<role>class|func|meth|mod|data|attr|exc|obj):`(?P<target>[^`]+)`")
"""A Sphinx cross-reference role."""

Resolver = Callable[[str], "str | None"]
"""``resolve(target) -> full dotted path``; ``""`` means "exists but private"; ``None`` unknown."""


def convert_roles(text: str, resolve: Resolver, on_missing: Callable[[str, str], None]) -> str:
    """Replace every role in ``text`` by a Markdown cross-reference ``[`title`][full.path]``.

    ``~a.b.C`` shows ``C``; a private target becomes plain code; an unknown target is reported
    through ``on_missing(role, target)`` and kept as a cross-reference, so autorefs fails too.
    """

    def replace(match: re.Match[str]) -> str:
        role, raw = match.group("role"), match.group("target").strip()
        target = raw.lstrip("~.")
        title = target.rsplit(".", 1)[-1] if raw.startswith("~") else target
        if role in ("func", "meth"):
            title += "()"
        path = resolve(target)
        if path == "":
            return f"`{title}`"
        if path is None:
            on_missing(role, target)
            path = target
        return f"[`{title}`][{path}]"

    return ROLE.sub(replace, text)


def convert_literal_blocks(text: str) -> str:
    """``Paragraph::`` + indented block -> ``Paragraph:`` + fenced code block.

    A lone ``Example::`` becomes a Material ``example`` admonition holding the code.
    """
    lines = text.splitlines()
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = line.rstrip()
        if not stripped.endswith("::") or stripped.endswith(":::"):
            out.append(line)
            i += 1
            continue
        indent = len(line) - len(line.lstrip())
        j = i + 1
        while j < len(lines) and not lines[j].strip():
            j += 1
        block: list[str] = []
        while j < len(lines) and (
            not lines[j].strip() or len(lines[j]) - len(lines[j].lstrip()) > indent
        ):
            block.append(lines[j])
            j += 1
        while block and not block[-1].strip():
            block.pop()
        if not block:
            out.append(line)
            i += 1
            continue
        body = textwrap.dedent("\n".join(block)).splitlines()
        lang = "toml" if body[0].lstrip().startswith("[") else "python"
        head = stripped[:-2].rstrip()
        pad = " " * indent
        if head.strip().lower() in ("example", "examples"):
            out.append(f"{pad}!!! example")
            out.append("")
            out += (
                [f"{pad}    ```{lang}"]
                + [f"{pad}    {b}".rstrip() for b in body]
                + [f"{pad}    ```"]
            )
        else:
            out.append(f"{head}:" if head.strip() and not head.endswith(":") else head)
            out.append("")
            out += [f"{pad}```{lang}"] + [f"{pad}{b}".rstrip() for b in body] + [f"{pad}```"]
        out.append("")
        i = j
    return "\n".join(out)


def to_markdown(text: str, resolve: Resolver, on_missing: Callable[[str, str], None]) -> str:
    """Both conversions (roles inside code blocks are left alone)."""
    converted = convert_literal_blocks(text)
    parts = re.split(r"(```.*?```)", converted, flags=re.S)
    return "".join(
        p if p.startswith("```") else convert_roles(p, resolve, on_missing) for p in parts
    )
