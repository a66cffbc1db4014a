#!/usr/bin/env bash
# Build or preview the documentation site.
#   scripts/docs.sh build   generate the references, then `mkdocs build --strict` into site/
#   scripts/docs.sh serve   generate, then preview on http://127.0.0.1:8000 (regenerates on change)
#   scripts/docs.sh gen     only generate (docs/reference/*.md, docs/.generated/)
# The build fails on any warning: a broken link or anchor, a page missing from the nav, a snippet
# that does not exist, a docstring cross-reference that does not resolve.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=.venv/bin/python
[ -x "$PY" ] || { echo "run scripts/setup.sh first (no .venv)" >&2; exit 1; }
export NO_MKDOCS_2_WARNING=1

case "${1:-build}" in
  gen)
    "$PY" -m odibi_docgen
    ;;
  build)
    shift || true
    "$PY" -m odibi_docgen
    ODIBI_DOCS_GENERATED=1 "$PY" -m mkdocs build --strict "$@"
    ;;
  serve)
    shift || true
    "$PY" -m mkdocs serve --strict "$@"
    ;;
  *)
    echo "usage: scripts/docs.sh [build|serve|gen] [mkdocs options]" >&2
    exit 2
    ;;
esac
