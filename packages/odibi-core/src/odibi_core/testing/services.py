"""Find the test services ``scripts/services.sh start`` started (for test fixtures).

The services script appends ``NAME=value`` lines to ``.services/env`` at the repository root;
``scripts/test.sh`` exports them. A test run started some other way (an IDE, plain pytest)
still finds them by reading that file from the test file's folder upwards.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest


def services_env(start: Path | None = None) -> dict[str, str]:
    """Every ``NAME=value`` of the nearest ``.services/env`` above ``start`` (comments skipped)."""
    for folder in (start or Path.cwd()).resolve().parents:
        env_file = folder / ".services" / "env"
        if env_file.is_file():
            values = {}
            for line in env_file.read_text().splitlines():
                key, sep, value = line.partition("=")
                if sep and key.strip() and not line.lstrip().startswith("#"):
                    values[key.strip()] = value.strip().strip("'\"")
            return values
    return {}


def service_variable(name: str, *, start: Path | None = None) -> str | None:
    """``name`` from the environment, else from the nearest ``.services/env`` above ``start``."""
    if os.environ.get(name):
        return os.environ[name]
    return services_env(start).get(name) or None


def require_service_variable(name: str, *, start: Path | None = None) -> str:
    """Like :func:`service_variable`, but fail the test (never skip it) when it is missing."""
    value = service_variable(name, start=start)
    if not value:
        pytest.fail(
            f"{name} is not set and .services/env has no value for it: "
            "start the test services with `scripts/services.sh start`",
            pytrace=False,
        )
    return value
