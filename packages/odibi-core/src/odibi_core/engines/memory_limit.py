"""``engine_options.memory_limit``: checked when the project loads, not when DuckDB starts.

DuckDB accepts a size with a unit (``4GB``, ``512 MiB``, ``1.5GB``), a share of the machine's
memory (``80%``) or ``-1``/``none`` for no limit. Anything else would only fail when the engine
starts, in the middle of ``odibi run``; this check makes it a configuration error at its line.
"""

from __future__ import annotations

import re

MIN_BYTES = 1_000_000
"""The smallest limit accepted (1 MB): below it DuckDB cannot run a query at all."""

_UNITS = {
    "b": 1,
    "byte": 1,
    "bytes": 1,
    "k": 1000,
    "kb": 1000,
    "kilobyte": 1000,
    "kilobytes": 1000,
    "kib": 1024,
    "m": 1000**2,
    "mb": 1000**2,
    "megabyte": 1000**2,
    "megabytes": 1000**2,
    "mib": 1024**2,
    "g": 1000**3,
    "gb": 1000**3,
    "gigabyte": 1000**3,
    "gigabytes": 1000**3,
    "gib": 1024**3,
    "t": 1000**4,
    "tb": 1000**4,
    "terabyte": 1000**4,
    "terabytes": 1000**4,
    "tib": 1024**4,
}
_SIZE = re.compile(r"^\s*(?P<number>\d+(?:\.\d*)?|\.\d+)\s*(?P<unit>[a-z]+)\s*$", re.IGNORECASE)
_PERCENT = re.compile(r"^\s*(?P<number>\d+(?:\.\d*)?|\.\d+)\s*%\s*$")


def check_memory_limit(value: str | None) -> str | None:
    """``value`` unchanged when DuckDB would accept it as a memory limit, else a ``ValueError``."""
    if value is None or value.strip().lower() in ("-1", "none"):
        return value
    percent = _PERCENT.match(value)
    if percent:
        if not 0 < float(percent.group("number")) <= 100:
            raise ValueError(
                f"memory_limit {value!r}: a percentage must be above 0 and at most 100"
            )
        return value
    size = _SIZE.match(value)
    unit = size.group("unit").lower() if size else ""
    if size is None or unit not in _UNITS:
        raise ValueError(
            f"memory_limit {value!r} is not a size: write a number and a unit (e.g. 4GB, 512MiB), "
            "a percentage of memory (80%), or none"
        )
    if float(size.group("number")) * _UNITS[unit] < MIN_BYTES:
        raise ValueError(f"memory_limit {value!r} is below 1MB: DuckDB cannot run a query in that")
    return value
