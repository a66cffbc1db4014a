"""Strict CSV reading: a malformed file fails the read with its file, line and what was wrong.

DuckDB's reader is strict once it knows a file's dialect (a row with another number of fields
fails with ``CSV Error on Line: N``), but when the rows of its sample disagree on their number of
fields its sniffer settles for a dialect they fit: each line as ONE column (``a,b`` / ``1,2,3,4``
/ ``5`` became a single column named ``a,b``), or the leading lines that do not fit skipped (a
header ``c0,c1`` over rows of three fields was dropped). Before a CSV read,
:func:`check_csv_file` asks the sniffer what it would do; if it would skip lines the read did not
ask to skip, settles for one column although the header splits on a common delimiter, or cannot
sniff at all, the file is scanned to the first row whose field count differs from the header's and
:class:`MalformedCsv` names the file and that line.

Lenient parsing is opt-in, per read: ``options: {lenient: true}`` (short rows padded with NULL;
see :data:`LENIENT_DUCKDB`), or DuckDB's own ``null_padding``, ``ignore_errors`` or
``strict_mode: false``.
"""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from odibi_core.engines.sql_literals import sql_literal
from odibi_core.errors import EngineError, ExitCode

LENIENT_OPTION = "lenient"
"""The portable read option that turns strict CSV parsing off (every engine)."""

LENIENT_DUCKDB = {"null_padding": True}
"""What ``lenient: true`` means to DuckDB: rows with fewer fields get NULLs, rows with more fields
add columns (``column2``...), so no value is dropped."""

DELIMITER_KEYS = ("delim", "sep", "delimiter")
SNIFF_KEYS = frozenset(
    {
        *DELIMITER_KEYS,
        "quote",
        "escape",
        "header",
        "new_line",
        "skip",
        "comment",
        "encoding",
        "compression",
        "sample_size",
        "max_line_size",
    }
)
"""Reader options that change what DuckDB's sniffer sees (the others do not matter to it)."""

CANDIDATE_DELIMITERS = (",", ";", "\t", "|")
MAX_SCANNED_LINES = 1_000_000
"""Lines scanned to locate a problem; the sniffer only samples the start of a file."""


class MalformedCsv(EngineError):
    """A CSV file's rows disagree on their number of fields (or its quoting is broken).

    An :class:`~odibi_core.errors.EngineError` found while rows are computed: when a lazy read
    is computed inside a downstream node's query, the node that reads the file is blamed.
    """

    exit_code = ExitCode.RUN_FAILED
    default_hint = (
        "Fix the file, or read it leniently with `options: {lenient: true}` "
        "(short rows padded with NULL)."
    )


def csv_reader_options(options: Mapping[str, Any] | None) -> tuple[dict[str, Any], bool]:
    """``(options for DuckDB, strict?)``: ``lenient`` removed and translated."""
    given = dict(options or {})
    lenient = bool(given.pop(LENIENT_OPTION, False))
    if lenient:
        for key, value in LENIENT_DUCKDB.items():
            given.setdefault(key, value)
    lowered = {k.lower(): v for k, v in given.items()}
    relaxed = (
        lenient
        or bool(lowered.get("null_padding"))
        or bool(lowered.get("ignore_errors"))
        or lowered.get("strict_mode") is False
        or lowered.get("auto_detect") is False
    )
    return given, not relaxed


def _given_delimiter(options: Mapping[str, Any]) -> str | None:
    for key, value in options.items():
        if key.lower() in DELIMITER_KEYS and isinstance(value, str) and value:
            return value.replace("\\t", "\t")
    return None


def check_csv_file(
    sniff: Callable[[str], Sequence[Sequence[Any]]], path: str, options: Mapping[str, Any]
) -> str | None:
    """Raise :class:`MalformedCsv` if ``path`` would be mis-read (see the module docstring).

    Returns the sniffer's ``Prompt`` (the ``FROM read_csv(...)`` call with every detected
    dialect option and column type spelt out), or ``None`` if the sniffer gave none: a reader
    can use it to skip detecting them again (see :mod:`odibi_core.engines.duck_csv_pin`).

    Args:
        sniff: Runs a DuckDB query, returns its rows (the engine's own connection, so any file
            system the engine can read works).
        path: The first file of the read (DuckDB applies its dialect to every file).
        options: The DuckDB reader options of the read.
    """
    args = [sql_literal(path)] + [
        f"{k} = {sql_literal(v)}" for k, v in options.items() if k.lower() in SNIFF_KEYS
    ]
    delimiter = _given_delimiter(options)
    header = _header(options)
    try:
        rows = sniff(
            f"SELECT Delimiter, Columns, SkipRows, Prompt FROM sniff_csv({', '.join(args)})"
        )
    except Exception:  # the read itself will fail; say where if the file shows it
        problem = find_ragged_row(path, delimiter, header=header)
        if problem is not None:
            raise MalformedCsv(f"malformed CSV {path}, {problem}") from None
        return None
    if not rows:
        return None
    _, columns, skipped, prompt = rows[0]
    asked = _skip(options)
    if int(skipped or 0) > asked:  # the sniffer would silently drop lines that do not fit
        problem = find_ragged_row(path, delimiter, header=header)
        raise MalformedCsv(
            f"malformed CSV {path}, {problem}"
            if problem
            else f"malformed CSV {path}: line(s) {asked + 1} to {skipped} do not fit the rest of "
            "the file and would be skipped",
            hint=f"Fix the file, or skip them on purpose with `options: {{skip: {skipped}}}`.",
        )
    if delimiter is None and len(columns or []) == 1:
        problem = find_ragged_row(path, None, header=header)
        if problem is not None:
            raise MalformedCsv(f"malformed CSV {path}, {problem}")
    return prompt if isinstance(prompt, str) else None


def _skip(options: Mapping[str, Any]) -> int:
    value = {k.lower(): v for k, v in options.items()}.get("skip", 0)
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _header(options: Mapping[str, Any]) -> bool:
    value = {k.lower(): v for k, v in options.items()}.get("header", True)
    return value not in (False, "false", 0)


def find_ragged_row(path: str, delimiter: str | None, *, header: bool = True) -> str | None:
    """``"line N: ..."`` for the first row of a local file whose field count differs from the
    first row's (or whose quoting is broken); ``None`` if none is found or it is not local.

    Without ``delimiter`` the common delimiter splitting the first row into most fields is used;
    a first row no common delimiter splits is taken as one genuine column (``None``).
    """
    if not os.path.isfile(path):
        return None
    with open(path, encoding="utf-8", errors="replace", newline="") as handle:
        first = handle.readline()
        choices = [delimiter] if delimiter else list(CANDIDATE_DELIMITERS)
        counts = {
            d: len(next(csv.reader([first], delimiter=d), [])) for d in choices if len(d) == 1
        }
        if not counts:
            return None
        chosen = max(counts, key=lambda d: counts[d])
        expected = counts[chosen]
        if expected < 2 and delimiter is None:
            return None
        reader = csv.reader(handle, delimiter=chosen, strict=True)
        what = "the header" if header else "the first row"
        try:
            for row in reader:
                if reader.line_num >= MAX_SCANNED_LINES:
                    return None
                if row and len(row) != expected:
                    return (
                        f"line {reader.line_num + 1}: {len(row)} field(s) where {what} has "
                        f"{expected} (separated by {chosen!r})"
                    )
        except csv.Error as exc:
            return f"line {reader.line_num + 1}: {exc}"
    return None


_CSV_ERROR_LINE = re.compile(r"CSV Error on Line: (\d+)")
_COLUMN_COUNTS = re.compile(r"Expected Number of Columns: (\d+) Found: (\d+)")


def malformed_csv_error(message: str) -> MalformedCsv | None:
    """DuckDB's ``CSV Error on Line: N`` message (a problem past the sniffer's sample) as a
    :class:`MalformedCsv` naming file, line and problem; ``None`` for any other message.

    DuckDB stops counting fields at the first extra one, so the count comes from the original line.
    """
    found_line = _CSV_ERROR_LINE.search(message)
    if found_line is None:
        return None
    file = re.search(r"^\s*file = (.+?)\s*$", message, re.M)
    body = message.split("Possible fixes:", 1)[0]
    counts = _COLUMN_COUNTS.search(body)
    if counts is not None:
        found = int(counts.group(2))
        original = re.search(r"Original Line: (.*)", body)
        delimiter = re.search(r"^\s*delimiter = (\S)\s", message, re.M)
        if original is not None:
            row = next(
                csv.reader([original.group(1)], delimiter=delimiter.group(1) if delimiter else ","),
                [],
            )
            found = max(found, len(row))
        what = f"{found} field(s) where {counts.group(1)} are expected"
    else:
        lines = [line.strip() for line in body.splitlines() if line.strip()]
        what = lines[-1] if len(lines) > 2 else "the row does not parse"
    where = file.group(1) if file else "(file not named)"
    return MalformedCsv(f"malformed CSV {where}, line {found_line.group(1)}: {what}")
