"""Spark's malformed-CSV failure as Odibi's :class:`~odibi_core.engines.csv_strict.MalformedCsv`.

CSV is read in ``FAILFAST`` mode (:func:`odibi_engine_spark.files.reader_settings`), so a row whose
number of fields differs from the header's fails the job. Spark names the file but not the line;
for a local file the line is found by scanning it (only on this error path).
"""

from __future__ import annotations

import re
from urllib.parse import urlparse

from odibi_core.engines.csv_strict import MalformedCsv, find_ragged_row

_READING = re.compile(r"Encountered error while reading file (\S+?)\.?(?:\s|$)")


def malformed_spark_csv(text: str) -> MalformedCsv | None:
    """The :class:`MalformedCsv` a Spark failure ``text`` describes, or ``None``."""
    if "MALFORMED_CSV_RECORD" not in text and "MALFORMED_RECORD_IN_PARSING" not in text:
        return None
    found = _READING.search(text)
    if found is None:
        return MalformedCsv(
            "malformed CSV: a row's number of fields differs from the header's "
            "(Spark names no file)"
        )
    uri = found.group(1)
    parsed = urlparse(uri)
    local = parsed.path if parsed.scheme in ("", "file") else None
    problem = find_ragged_row(local, None) if local else None
    shown = local or uri
    if problem is None:
        return MalformedCsv(
            f"malformed CSV {shown}: a row's number of fields differs from the header's"
        )
    return MalformedCsv(f"malformed CSV {shown}, {problem}")
