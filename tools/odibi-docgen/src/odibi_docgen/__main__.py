"""``python -m odibi_docgen``: write every generated reference page and snippet.

Run from the repository root (``scripts/docs.sh gen`` and ``scripts/docs.sh build`` do); writes
``docs/reference/*.md`` and ``docs/.generated/`` (all gitignored).
"""

from __future__ import annotations

from odibi_docgen.common import ROOT
from odibi_docgen.generate import generate_all


def main() -> None:
    """Generate everything, printing each generator's time and each written path."""
    for path in generate_all(verbose=True):
        print(f"docs: {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
