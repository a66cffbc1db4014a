#!/usr/bin/env python
"""Markdown list of the installed distributions whose versions differ from the lock.

    .venv/bin/uv pip freeze --python .venv/bin/python > freeze.txt
    .venv/bin/python scripts/deps_report.py constraints.txt freeze.txt [--title TEXT]

Compares ``name==version`` lines (the lock's environment markers evaluated for this interpreter;
editable and URL installs ignored) and prints a Markdown table: every distribution newer, older,
added or missing compared with the lock. The newest-dependencies CI job appends it to its summary,
so a failure there names its suspects. Exits 0 whatever it finds.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def pins(path: Path, *, evaluate_markers: bool) -> dict[str, str]:
    """``{normalized name: version}`` of the ``==`` pins in a requirements-style file."""
    from packaging.requirements import InvalidRequirement, Requirement
    from packaging.utils import canonicalize_name

    found: dict[str, str] = {}
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith(("#", "-")):
            continue
        try:
            req = Requirement(line)
        except InvalidRequirement:
            continue
        if evaluate_markers and req.marker is not None and not req.marker.evaluate():
            continue
        exact = [s.version for s in req.specifier if s.operator == "=="]
        if exact:
            found[canonicalize_name(req.name)] = exact[0]
    return found


def report(locked: dict[str, str], installed: dict[str, str], title: str) -> str:
    """The Markdown report."""
    from packaging.version import Version

    rows = []
    for name in sorted(set(locked) | set(installed)):
        old, new = locked.get(name), installed.get(name)
        if old == new:
            continue
        if old is None:
            change = "not in the lock"
        elif new is None:
            change = "not installed"
        else:
            change = "newer" if Version(new) > Version(old) else "older"
        rows.append(f"| {name} | {old or ''} | {new or ''} | {change} |")
    if not rows:
        return f"### {title}\n\nEvery installed distribution is at its locked version.\n"
    head = "| distribution | lock | installed | |\n|---|---|---|---|"
    return f"### {title}\n\n{len(rows)} differ from the lock:\n\n{head}\n" + "\n".join(rows) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("lock", type=Path)
    parser.add_argument("freeze", type=Path)
    parser.add_argument("--title", default="Installed versions against constraints.txt")
    args = parser.parse_args(argv)
    locked = pins(args.lock, evaluate_markers=True)
    installed = pins(args.freeze, evaluate_markers=False)
    sys.stdout.write(report(locked, installed, args.title))
    return 0


if __name__ == "__main__":
    sys.exit(main())
