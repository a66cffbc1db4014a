#!/usr/bin/env python
"""Generate the docs site's reference pages and snippets from the code.

    .venv/bin/python scripts/gen_docs.py

Writes docs/reference/{configuration,cli,hooks,exit-codes,api}.md and docs/.generated/ (all
gitignored). ``mkdocs build`` runs the same generators through scripts/docgen/mkdocs_hooks.py.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from docgen.generate import generate_all

if __name__ == "__main__":
    for path in generate_all(verbose=True):
        print(f"docs: {path.relative_to(Path(__file__).resolve().parents[1])}")
