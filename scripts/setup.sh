#!/usr/bin/env bash
# Create .venv and install every Odibi package (editable) plus the development tools.
#   scripts/setup.sh            everything (what the test command needs)
#   scripts/setup.sh --minimal  odibi-core and odibi-state-local only (what the example needs)
# Third-party versions come from the committed lock constraints.txt (refreshed on purpose by
# scripts/lock.sh), so a dependency's new release cannot change what the tests run against.
#   ODIBI_DEPS=newest scripts/setup.sh   ignore the lock: the newest versions the packages allow
#   ODIBI_DEPS=lowest scripts/setup.sh   ignore the lock: the lowest versions they declare
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
"$PYTHON" - "${1:-}" <<'PY'
import sys
# odibi-connector-postgres needs 3.11 (its ADBC driver does), so the full install does too
need = (3, 10) if sys.argv[1:] == ["--minimal"] else (3, 11)
if sys.version_info < need:
    what = "The example needs" if need == (3, 10) else "The test command needs"
    sys.exit(f"{what} Python {need[0]}.{need[1]} or newer; {sys.executable} is {sys.version.split()[0]}")
PY

if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
if [ ! -x .venv/bin/uv ]; then
  .venv/bin/python -m pip install --quiet --disable-pip-version-check uv
fi
# --compile-bytecode: every `odibi` process (and test subprocess) starts from .pyc files
UV=(.venv/bin/uv pip install --python .venv/bin/python --quiet --compile-bytecode)
case "${ODIBI_DEPS:-locked}" in
  locked) UV+=(--constraint constraints.txt) ;;
  newest) UV+=(--upgrade) ;;
  lowest) UV+=(--upgrade --resolution lowest-direct) ;;
  *) echo "setup: ODIBI_DEPS must be locked, newest or lowest, not '${ODIBI_DEPS}'" >&2; exit 2 ;;
esac

if [ "${1:-}" = "--minimal" ]; then
  "${UV[@]}" -e packages/odibi-core -e packages/odibi-state-local
  exit 0
fi

# Java 17+ for the spark engine (odibi-engine-spark and its tests).
java_major() {
  command -v java >/dev/null 2>&1 || { echo 0; return; }
  java -version 2>&1 | awk -F'"' '/version/ {split($2, v, "."); print (v[1] == "1" ? v[2] : v[1]); exit}'
}
java_found=$(java_major)
if [ "${java_found:-0}" -lt 17 ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing a Java runtime for Spark (openjdk, headless)" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq openjdk-17-jre-headless >/dev/null 2>&1 \
      || apt-get install -y -qq openjdk-21-jre-headless >/dev/null
  else
    echo "setup: Spark needs Java 17 or newer; 'java -version' found ${java_found:-0} (0: no java);" \
         "install it (e.g. apt-get install openjdk-17-jre-headless as root) for the spark engine and its tests" >&2
  fi
fi

# the published packages, then the repository's own tools (tools/*: docs generators; never published)
editables=()
for pkg in packages/*/ tools/*/; do
  [ -f "$pkg/pyproject.toml" ] && editables+=(-e "$pkg")
done
"${UV[@]}" "${editables[@]}" -r scripts/requirements-dev.txt
# Editable sources are not compiled by the installer; with PYTHONDONTWRITEBYTECODE set every
# process would compile them from source again (a tenth of a second per `odibi` process).
# A .pyc older than its source is ignored, so editing stays safe.
.venv/bin/python -m compileall -q packages/*/src >/dev/null

# Headless Chromium renders run reports in the tests: Debian's package, never a browser download.
if ! command -v chromium >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
  SUDO=()
  if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then SUDO=(sudo); fi
  echo "installing chromium (Debian package) for the report rendering tests"
  if ! { "${SUDO[@]}" apt-get update -qq \
         && DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -qq chromium >/dev/null; }; then
    echo "warning: could not install chromium; the report rendering tests will fail until it is" >&2
  fi
fi

# Mermaid's own parser checks `odibi graph --format mermaid` in the tests: npm packages pinned in
# scripts/mermaid/package-lock.json, run under Node.js with jsdom (no browser).
MERMAID_DIR=scripts/mermaid
if command -v npm >/dev/null 2>&1; then
  wanted=$(node -e 'console.log(require(process.argv[1]).packages["node_modules/mermaid"].version)' \
    "$PWD/$MERMAID_DIR/package-lock.json")
  installed=$(node -e 'console.log(require(process.argv[1]).version)' \
    "$PWD/$MERMAID_DIR/node_modules/mermaid/package.json" 2>/dev/null || true)
  if [ "$wanted" != "$installed" ]; then
    echo "installing mermaid $wanted (npm ci in $MERMAID_DIR) for the graph output tests"
    (cd "$MERMAID_DIR" && npm ci --silent --no-audit --no-fund) \
      || echo "warning: npm ci failed in $MERMAID_DIR; the Mermaid output tests will fail until it works" >&2
  fi
else
  echo "warning: npm not found; the Mermaid output tests need Node.js 18+ and npm" >&2
fi
