#!/usr/bin/env python
"""Lay out distribution files as a PEP 503 "simple" package index (serve it with http.server).

    .venv/bin/python scripts/local_index.py DIST_DIR INDEX_DIR

Writes ``INDEX_DIR/simple/index.html`` and ``INDEX_DIR/simple/<project>/index.html`` with one
link per file (``#sha256=`` fragments, ``data-requires-python``), and copies the files into
``INDEX_DIR/files/``. ``python -m http.server -d INDEX_DIR`` then serves ``/simple/``.
"""

from __future__ import annotations

import hashlib
import html
import re
import shutil
import sys
import tarfile
import zipfile
from email.parser import HeaderParser
from pathlib import Path


def normalize(name: str) -> str:
    """PEP 503 normalized project name."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _metadata(path: Path) -> tuple[str, str]:
    """``(Name, Requires-Python)`` of a wheel or sdist."""
    if path.suffix == ".whl":
        with zipfile.ZipFile(path) as zf:
            meta = next(n for n in zf.namelist() if n.endswith(".dist-info/METADATA"))
            text = zf.read(meta).decode()
    else:
        with tarfile.open(path) as tf:
            member = f"{path.name.removesuffix('.tar.gz')}/PKG-INFO"
            handle = tf.extractfile(member)
            assert handle is not None, f"{path.name}: no {member}"
            text = handle.read().decode()
    headers = HeaderParser().parsestr(text)
    return headers["Name"], headers.get("Requires-Python", "")


def build_index(dist_dir: Path, index_dir: Path) -> dict[str, list[str]]:
    """Write the index; return ``{normalized project: [file names]}``."""
    files_dir = index_dir / "files"
    files_dir.mkdir(parents=True, exist_ok=True)
    projects: dict[str, list[tuple[str, str, str]]] = {}
    for path in sorted([*dist_dir.glob("*.whl"), *dist_dir.glob("*.tar.gz")]):
        name, requires_python = _metadata(path)
        shutil.copy2(path, files_dir / path.name)
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        projects.setdefault(normalize(name), []).append((path.name, digest, requires_python))
    simple = index_dir / "simple"
    simple.mkdir(parents=True, exist_ok=True)
    page = "<!DOCTYPE html>\n<html><body>\n{}\n</body></html>\n"
    links = [f'<a href="{p}/">{p}</a>' for p in sorted(projects)]
    (simple / "index.html").write_text(page.format("\n".join(links)), encoding="utf-8")
    for project, entries in projects.items():
        rows = []
        for filename, digest, requires_python in entries:
            attr = (
                f' data-requires-python="{html.escape(requires_python)}"' if requires_python else ""
            )
            rows.append(f'<a href="../../files/{filename}#sha256={digest}"{attr}>{filename}</a>')
        (simple / project).mkdir(exist_ok=True)
        (simple / project / "index.html").write_text(page.format("\n".join(rows)), encoding="utf-8")
    return {project: [e[0] for e in entries] for project, entries in projects.items()}


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: local_index.py DIST_DIR INDEX_DIR")
    index = build_index(Path(sys.argv[1]), Path(sys.argv[2]))
    print(f"index: {len(index)} projects, {sum(len(f) for f in index.values())} files")
