#!/usr/bin/env python
"""Prepare the release train X.Y.Z: one version for every package, then a commit and a tag.

    .venv/bin/python scripts/release_prepare.py X.Y.Z [--date YYYY-MM-DD] [--check]

* sets ``version = "X.Y.Z"`` in every ``packages/*/pyproject.toml``;
* sets every dependency on a sibling Odibi package to the train's compatible range,
  ``>=X.Y,<X.(Y+1)`` while X is 0 (a 0.x minor release may break the API), else ``>=X.Y,<(X+1)``;
* moves each ``CHANGELOG.md``'s ``## [Unreleased]`` entries under ``## [X.Y.Z] - date`` and opens
  a new, empty ``## [Unreleased]``.

``--check`` changes nothing and exits 1 if any of that is not already so (the release workflow
runs it against the tag). Then: review the diff, commit, ``git tag vX.Y.Z``, push the tag.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
"""The repository root."""

SIBLING = re.compile(r'"(?P<name>odibi-[a-z-]+)(?P<extras>\[[^\]]*\])?(?P<spec>[<>=!~][^";]*)?"')


def train_range(version: str) -> str:
    """The range a package of the train ``version`` declares on its siblings."""
    major, minor = (int(p) for p in version.split(".")[:2])
    upper = f"{major}.{minor + 1}" if major == 0 else f"{major + 1}"
    return f">={major}.{minor},<{upper}"


def update_pyproject(text: str, version: str) -> str:
    """``text`` of a pyproject with the train's version and sibling ranges."""
    text, count = re.subn(
        r'^version = "[^"]*"', f'version = "{version}"', text, count=1, flags=re.MULTILINE
    )
    if count != 1:
        raise ValueError("no version line")
    head, sep, rest = text.partition("dependencies = [")
    body, end, tail = rest.partition("]")
    body = SIBLING.sub(lambda m: f'"{m["name"]}{m["extras"] or ""}{train_range(version)}"', body)
    text = head + sep + body + end + tail
    # extras may name siblings too (odibi-core[pandas] installs odibi-engine-pandas)
    start = text.find("[project.optional-dependencies]")
    if start < 0:
        return text
    stop = text.find("\n[", start + 1)
    stop = len(text) if stop < 0 else stop
    extras = SIBLING.sub(lambda m: f'"{m["name"]}{m["extras"] or ""}{train_range(version)}"',
                         text[start:stop])
    return text[:start] + extras + text[stop:]


def update_changelog(text: str, version: str, date: str) -> str:
    """``text`` of a CHANGELOG with Unreleased released as ``version``."""
    if f"## [{version}]" in text:
        return text
    marker = "## [Unreleased]"
    if marker not in text:
        raise ValueError("no '## [Unreleased]' section")
    head, _, rest = text.partition(marker)
    body, older_sep, older = rest.partition("\n## [")
    body = re.sub(r"^\s*Nothing has been published yet[^\n]*\n", "\n", body, flags=re.MULTILINE)
    if not body.strip():
        body = "\n\nNo changes; released with the rest of the train.\n"
    released = f"{head}{marker}\n\n## [{version}] - {date}{body.rstrip()}\n"
    return released + (f"\n## [{older}" if older_sep else "")


def prepare(version: str, date: str, *, check: bool, root: Path = ROOT) -> list[str]:
    """Apply (or with ``check``, list) the changes under ``root``; return the files that
    differ(ed)."""
    if not re.fullmatch(r"\d+\.\d+\.\d+", version):
        raise SystemExit(f"version must be X.Y.Z, not {version!r}")
    changed = []
    for pyproject in sorted(root.glob("packages/*/pyproject.toml")):
        changelog = pyproject.parent / "CHANGELOG.md"
        if not changelog.exists():
            raise SystemExit(f"{changelog.relative_to(root)} is missing")
        for path, update in (
            (pyproject, lambda t: update_pyproject(t, version)),
            (changelog, lambda t: update_changelog(t, version, date)),
        ):
            old = path.read_text(encoding="utf-8")
            new = update(old)
            if new != old:
                changed.append(str(path.relative_to(root)))
                if not check:
                    path.write_text(new, encoding="utf-8")
    return changed


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("version")
    parser.add_argument("--date", default=dt.date.today().isoformat())
    parser.add_argument("--check", action="store_true", help="change nothing; fail if needed")
    parser.add_argument("--root", type=Path, default=ROOT, help="repository (default: this one)")
    args = parser.parse_args(argv)
    changed = prepare(args.version, args.date, check=args.check, root=args.root)
    for path in changed:
        print(f"{'needs update' if args.check else 'updated'}: {path}")
    if args.check and changed:
        print(
            f"error: the tree is not prepared for {args.version}: "
            f"run scripts/release_prepare.py {args.version}",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
