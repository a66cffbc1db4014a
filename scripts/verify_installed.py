#!/usr/bin/env python
"""Check that the Odibi distributions installed in this interpreter are exactly the built ones.

    VENV/bin/python scripts/verify_installed.py DIST_DIR NAME [NAME...]

Every ``odibi-*`` distribution installed must have a wheel in ``DIST_DIR`` of the same version,
and every file that wheel's ``RECORD`` lists (its dist-info aside) must be installed with the same
sha256: so the files came from these wheels, not from another index. ``NAME``\\s must all be
installed. Runs with the standard library only (in a clean virtual environment).
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import sys
import zipfile
from importlib import metadata
from pathlib import Path


def _record(wheel: Path) -> dict[str, str]:
    with zipfile.ZipFile(wheel) as zf:
        name = next(n for n in zf.namelist() if n.endswith(".dist-info/RECORD"))
        rows = csv.reader(io.StringIO(zf.read(name).decode()))
        return {path: digest for path, digest, *_ in rows if digest and ".dist-info/" not in path}


def check(dist_dir: Path, required: list[str]) -> list[str]:
    """Problems found (empty: every installed Odibi distribution is one of the built wheels)."""
    problems = []
    installed = {
        d.metadata["Name"].lower(): d
        for d in metadata.distributions()
        if d.metadata["Name"].lower().startswith("odibi-")
    }
    for name in required:
        if name.lower() not in installed:
            problems.append(f"{name} is not installed")
    for name, dist in sorted(installed.items()):
        wheel = dist_dir / f"{name.replace('-', '_')}-{dist.version}-py3-none-any.whl"
        if not wheel.exists():
            problems.append(f"{name} {dist.version} installed, but no such wheel was built")
            continue
        for rel, digest in _record(wheel).items():
            path = Path(str(dist.locate_file(rel)))
            if not path.exists():
                problems.append(f"{name}: {rel} not installed")
                continue
            algo, _, want = digest.partition("=")
            got = base64.urlsafe_b64encode(hashlib.new(algo, path.read_bytes()).digest())
            if got.rstrip(b"=").decode() != want:
                problems.append(f"{name}: {rel} differs from the built wheel")
        print(f"{name} {dist.version}: installed files are the built wheel's")
    return problems


if __name__ == "__main__":
    found = check(Path(sys.argv[1]), sys.argv[2:])
    for problem in found:
        print(f"error: {problem}", file=sys.stderr)
    sys.exit(1 if found else 0)
