#!/usr/bin/env bash
# Install everything and run the whole test suite: unit, contract, end-to-end (CLI as a
# subprocess), the services tests (PostgreSQL, Azurite, OTLP receivers, Spark), the docs build,
# the wheel checks and the lint and type checks (scripts/lint.sh). Extra arguments go to pytest
# (e.g. scripts/test.sh -k state); with them only pytest runs.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
scripts/services.sh start
trap 'scripts/services.sh stop' EXIT
set -a
# shellcheck disable=SC1091
. .services/env
set +a

status=0
.venv/bin/python -m pytest "$@" || status=$?
if [ "$status" -eq 5 ]; then
  echo "pytest collected no tests: that is a failure here" >&2
  exit 1
fi
[ "$status" -eq 0 ] || exit "$status"

if [ $# -eq 0 ]; then
  scripts/lint.sh
  if [ -f mkdocs.yml ]; then
    scripts/docs.sh build
  fi
  scripts/check_wheels.sh
fi
