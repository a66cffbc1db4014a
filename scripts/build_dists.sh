#!/usr/bin/env bash
# Build the wheel and the sdist of packages with hatch (the release build).
#   scripts/build_dists.sh OUT_DIR                  every package of packages/
#   scripts/build_dists.sh OUT_DIR odibi-core ...   the named packages only
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 1 ] || { echo "usage: scripts/build_dists.sh OUT_DIR [PACKAGE...]" >&2; exit 2; }
out=$(mkdir -p "$1" && cd "$1" && pwd)
shift
HATCH=${HATCH:-$PWD/.venv/bin/hatch}
if [ $# -eq 0 ]; then
  set -- $(for pkg in packages/*/; do [ -f "$pkg/pyproject.toml" ] && basename "$pkg"; done)
fi
for name in "$@"; do
  [ -f "packages/$name/pyproject.toml" ] || { echo "build: no package packages/$name" >&2; exit 2; }
  if ! log=$(cd "packages/$name" && "$HATCH" build --target wheel --target sdist "$out" 2>&1); then
    echo "$log" >&2
    echo "build: hatch build of $name failed" >&2
    exit 1
  fi
done
echo "built $(ls "$out"/*.whl | wc -l) wheels and $(ls "$out"/*.tar.gz | wc -l) sdists in $out" >&2
