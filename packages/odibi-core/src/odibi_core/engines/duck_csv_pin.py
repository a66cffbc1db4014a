"""Detect a CSV file's dialect and column types once per read, not once per query.

A view over ``read_csv(file)`` runs DuckDB's sniffer every time a query binds it: its schema, a
report sample, each downstream node's view and the final ``COPY`` each paid for a sniff (on a large
file a fifth of a second each). The strict-CSV check already runs ``sniff_csv`` on the file once;
its ``Prompt`` is the ``read_csv`` call with every detected option and column type spelt out and
``auto_detect=false``. Reading through that call, nothing is detected again, and the types are
exactly the ones the sniffer found.

Only reads where this is sure to mean the same thing are pinned: one file, and reader options the
sniff itself was given (any other option, e.g. ``types`` or ``nullstr``, changes what detection
would decide, so such reads keep detecting).

The pinned call does not keep the prompt's ``auto_detect=false``: with detection off DuckDB also
drops its estimate of the file's row count (every such read is planned as 42 rows), and the
optimizer then builds a join's hash table on whichever side it likes: a 20M-row orders file joined
to 50k customers peaked at 995 MiB instead of 341 MiB. So detection stays nominally on with every
option the sniff found given explicitly (dialect, header, ``columns`` with their types, date
formats) and a one-row sample (:data:`PIN_SAMPLE`): nothing is detected again, and the bind only
reads the file's first buffer to estimate its row count (10 to 30 ms on a file of 100 MB to 1 GB,
about half a sniff; next to nothing on a small file).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from odibi_core.engines.csv_strict import SNIFF_KEYS

PIN_SAMPLE = "sample_size=1"
"""What replaces the prompt's ``auto_detect=false`` in a pinned call (see the module docstring)."""

PIN_SAFE_KEYS = frozenset(SNIFF_KEYS | {"parallel"})
"""Reader options a pinned read may carry: those the sniff saw, and ``parallel`` (how, not what)."""


def can_pin(files: list[str], options: Mapping[str, Any]) -> bool:
    """Whether a CSV read of ``files`` with ``options`` may use the sniffer's pinned call."""
    return len(files) == 1 and all(key.lower() in PIN_SAFE_KEYS for key in options)


def pinned_arguments(prompt: str | None, source_literal: str) -> str | None:
    """The arguments after the file in ``prompt`` (``FROM read_csv('f', auto_detect=false, ...);``),
    or ``None`` if the prompt does not have the expected shape (the read then detects as usual)."""
    if not prompt:
        return None
    head = f"FROM read_csv({source_literal}, "
    text = prompt.strip()
    if not text.startswith(head) or not text.endswith(");"):
        return None
    arguments = text[len(head):-2].strip()
    if "auto_detect=false" not in arguments or "columns=" not in arguments:
        return None
    if "sample_size=" in arguments:  # the read's own sample size (a sniff option) stands
        return arguments.replace("auto_detect=false, ", "", 1)
    return arguments.replace("auto_detect=false", PIN_SAMPLE, 1)


__all__ = ["PIN_SAFE_KEYS", "PIN_SAMPLE", "can_pin", "pinned_arguments"]
