#!/usr/bin/env bash
# Set up the minimal install and run the quickstart example on the embedded defaults
# (duckdb engine, local files, local state).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --minimal
.venv/bin/odibi run examples/quickstart/odibi.yaml
echo
echo "Outputs are in examples/quickstart/lake/; run history: .venv/bin/odibi state show examples/quickstart/odibi.yaml"
echo "To have 'odibi' on your PATH: source .venv/bin/activate   (then: odibi init myproj && cd myproj && odibi run)"
