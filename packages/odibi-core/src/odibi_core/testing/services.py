"""Find the test services (a database, a storage emulator) a test needs, in any repository.

A variable ``NAME`` (``ODIBI_TEST_PG_DSN``, ``ODIBI_TEST_AZURITE_BLOB_URL``...) is looked up, first
match wins, in:

1. ``--odibi-service NAME=VALUE`` on the pytest command line (repeatable);
2. the environment variable ``NAME`` (what a CI job sets);
3. a services file of ``NAME=value`` lines (``#`` comments, optional quotes), named by
   ``--odibi-services-file PATH``, the environment variable ``ODIBI_TEST_SERVICES_FILE``, or the
   ``odibi_services_file`` ini option (relative to pytest's rootdir; a missing file is ignored).

Nothing here knows any repository's layout: Odibi's own ``pytest`` configuration points
``odibi_services_file`` at the file its services script writes. The options are registered by the
pytest plugin :mod:`odibi_core.testing.fixtures` (loaded automatically once ``odibi-core`` is
installed; ``odibi-core[testing]`` adds pytest and hypothesis).
A test that needs a missing variable fails with a message naming it: tests never skip silently.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SERVICES_FILE_VARIABLE = "ODIBI_TEST_SERVICES_FILE"
"""Environment variable naming a services file."""

_configured: dict[str, str] = {}
_services_file: list[Path] = []


def read_env_file(path: Path) -> dict[str, str]:
    """Every ``NAME=value`` of the file at ``path`` (comments and blank lines skipped; quotes
    around a value removed); empty if the file does not exist."""
    values: dict[str, str] = {}
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return values
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        key = key.strip().removeprefix("export ").strip()
        if sep and key and not line.lstrip().startswith("#"):
            values[key] = value.strip().strip("'\"")
    return values


def configure(options: list[str], services_file: Path | None) -> None:
    """Record the ``--odibi-service`` values and the services file (called by the pytest plugin)."""
    _configured.clear()
    for item in options:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise pytest.UsageError(f"--odibi-service takes NAME=VALUE, not {item!r}")
        _configured[key.strip()] = value
    _services_file[:] = [services_file] if services_file is not None else []


def _file_values() -> dict[str, str]:
    named = os.environ.get(SERVICES_FILE_VARIABLE)
    if named:
        return read_env_file(Path(named))
    return read_env_file(_services_file[0]) if _services_file else {}


def service_variables(prefix: str = "ODIBI_TEST_") -> dict[str, str]:
    """Every known variable whose name starts with ``prefix`` (all three sources merged)."""
    found = {k: v for k, v in _file_values().items() if k.startswith(prefix)}
    found.update({k: v for k, v in os.environ.items() if k.startswith(prefix)})
    found.update({k: v for k, v in _configured.items() if k.startswith(prefix)})
    return {k: v for k, v in found.items() if v}


def service_variable(name: str, *, start: Path | None = None) -> str | None:
    """``name`` from the sources of the module docstring, or ``None``. (``start`` is accepted
    for older callers and ignored.)"""
    if _configured.get(name):
        return _configured[name]
    if os.environ.get(name):
        return os.environ[name]
    return _file_values().get(name) or None


def require_service_variable(name: str, *, start: Path | None = None) -> str:
    """Like :func:`service_variable`, but fail the test (never skip it) when it is missing."""
    value = service_variable(name)
    if not value:
        pytest.fail(
            f"{name} is not set: give it as an environment variable, with "
            f"--odibi-service {name}=VALUE, or in a services file ({SERVICES_FILE_VARIABLE} or the "
            "odibi_services_file ini option)",
            pytrace=False,
        )
    return value
