#!/usr/bin/env bash
# Lint and type checks: ruff (the rules in pyproject.toml) over sources, tests, scripts, benchmarks
# and tools, then mypy over every distribution's sources (strict for the plugin-facing modules).
# Run after scripts/setup.sh; scripts/test.sh runs it when given no pytest arguments.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=.venv/bin/python
paths=(packages/*/src packages/*/tests tests scripts benchmarks tools)
"$PY" -m ruff check "${paths[@]}"
"$PY" -m mypy
