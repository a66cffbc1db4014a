#!/usr/bin/env bash
# Rehearse a release end to end, here, without publishing anything:
#   1. build every package (wheel + sdist, hatch), `twine check --strict`, verify metadata and
#      entry points against the pyprojects (scripts/check_wheels.sh's build and checks);
#   2. serve them from a local PEP 503 package index (python -m http.server on 127.0.0.1);
#   3. install `odibi-core odibi-connector-postgres` into a clean virtual environment, Odibi
#      packages from that index only (uv's first-index rule: a name the local index has is
#      never looked up elsewhere; third-party dependencies come from PyPI), and prove the
#      installed files are the built wheels' (RECORD hashes);
#   4. run the README quickstart with the installed `odibi`: init, run, plugins list.
#   scripts/release_rehearsal.sh [--keep]   (--keep: leave the work folder for inspection)
# Set PYPI_INDEX to use a PyPI mirror for the third-party dependencies.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
PY=$PWD/.venv/bin/python
UV=$PWD/.venv/bin/uv
[ -x "$UV" ] || { echo "run scripts/setup.sh first (no .venv)" >&2; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/odibi-rehearsal.XXXXXX")
server=""
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; fi
  if [ "${1:-}" != "--keep" ]; then rm -rf "$work"; else echo "rehearsal: kept $work" >&2; fi
}
trap 'cleanup "${KEEP:-}"' EXIT
[ "${1:-}" = "--keep" ] && KEEP=--keep

echo "== 1. build and check"
scripts/build_dists.sh "$work/dist"
"$PY" -m twine check --strict "$work"/dist/*
"$PY" scripts/verify_dists.py "$work/dist" --all

echo "== 2. local package index"
"$PY" scripts/local_index.py "$work/dist" "$work/index"
port=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$PY" -m http.server --bind 127.0.0.1 --directory "$work/index" "$port" > "$work/http.log" 2>&1 &
server=$!
local_index="http://127.0.0.1:$port/simple"
for _ in $(seq 50); do
  "$PY" -c "import urllib.request as u; u.urlopen('$local_index/odibi-core/')" 2>/dev/null && break
  sleep 0.1
done

echo "== 3. clean install from the local index"
"$UV" venv --quiet --python "$PY" "$work/venv"
"$UV" pip install --quiet --no-cache --python "$work/venv/bin/python" \
  --index "odibi-local=$local_index" --default-index "${PYPI_INDEX:-https://pypi.org/simple}" \
  --index-strategy first-index \
  odibi-core odibi-connector-postgres
"$work/venv/bin/python" scripts/verify_installed.py "$work/dist" odibi-core odibi-connector-postgres
grep -q '"GET /files/odibi_core-' "$work/http.log" \
  || { echo "rehearsal: odibi-core was not downloaded from the local index" >&2; exit 1; }

echo "== 4. quickstart with the installed odibi"
(
  cd "$work"
  venv/bin/odibi init quickstart
  venv/bin/odibi run quickstart/odibi.yaml
  venv/bin/odibi plugins list --all --json > plugins.json
  venv/bin/python - <<'PY'
import json
plugins = json.load(open("plugins.json"))
bad = [p for p in plugins if p["status"] != "active"]
assert not bad, f"plugins not active: {bad}"
assert any(p["distribution"] == "odibi-connector-postgres" for p in plugins), plugins
print("plugins:", ", ".join(sorted(p["name"] for p in plugins)))
PY
)
echo "rehearsal passed in $(( $(date +%s) - start )) s"
