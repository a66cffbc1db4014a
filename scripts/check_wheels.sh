#!/usr/bin/env bash
# Build an sdist and a wheel of every package as a release does (scripts/build_dists.sh, hatch),
# check them (`twine check --strict`, scripts/verify_dists.py: metadata and entry points against
# the pyprojects), then install each wheel into a fresh virtual environment with only its
# declared dependencies and check that it imports and registers.
set -euo pipefail
cd "$(dirname "$0")/.."
UV=.venv/bin/uv
rm -rf dist
scripts/build_dists.sh dist
.venv/bin/python -m twine check --strict dist/* > /dev/null
.venv/bin/python scripts/verify_dists.py dist --all > /dev/null
core_wheel=$(ls dist/odibi_core-*.whl)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for wheel in dist/*.whl; do
  dist_name=$(basename "$wheel" | cut -d- -f1)
  module=$dist_name
  env_dir="$work/$dist_name"
  "$UV" venv --quiet --python .venv/bin/python "$env_dir"
  if [ "$wheel" = "$core_wheel" ]; then
    "$UV" pip install --quiet --python "$env_dir/bin/python" "$wheel"
  else
    # --find-links: a package may depend on a sibling (odibi-migrate on odibi-transformers)
    "$UV" pip install --quiet --python "$env_dir/bin/python" --find-links dist "$core_wheel" "$wheel"
  fi
  "$env_dir/bin/python" -c "import $module; print('$dist_name', 'imports')"
  if [ "$wheel" = "$core_wheel" ]; then
    # the wheel alone scaffolds and runs a project (template data and dependencies complete)
    "$env_dir/bin/odibi" init "$work/core-project" > /dev/null
    "$env_dir/bin/odibi" --log-level WARNING run "$work/core-project/odibi.yaml" > /dev/null
  fi
  "$env_dir/bin/odibi" plugins list --all --json > "$work/$dist_name.json"
  "$env_dir/bin/python" - "$work/$dist_name.json" "$dist_name" <<'PY'
import json, sys
plugins = json.load(open(sys.argv[1]))
dist = sys.argv[2].replace("_", "-")
bad = [p for p in plugins if p["status"] != "active"]
assert not bad, f"plugins not active in a clean install of {dist}: {bad}"
if dist != "odibi-core":
    assert any(p["distribution"] == dist for p in plugins), f"{dist} registered no plugin"
print(dist, "registers:", ", ".join(sorted({p["name"] for p in plugins})))
PY
done
echo "wheel check: $(ls dist/*.whl | wc -l) wheels and $(ls dist/*.tar.gz | wc -l) sdists OK"
