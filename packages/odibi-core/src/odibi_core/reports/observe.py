"""What a node's execution adds to its result for the run report: sample rows and a profile.

Both are taken while the node's output frame exists (inside the node's execution) and both are
best effort: a failure here is noted in the result and never fails the node. Samples are cheap by
contract (:meth:`~odibi_core.contracts.engine.Engine.sample` returns ``None`` rather than pay a
pass over the data); a profile costs one aggregate pass and is only taken when asked for.
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import logging
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from odibi_core.redaction import redact_text, redact_value
from odibi_core.redaction.mask import current_mask

if TYPE_CHECKING:
    from odibi_core.config.models import NodeConfig, ReportsConfig
    from odibi_core.contracts.engine import Engine
    from odibi_core.contracts.lifecycle import NodeResult

logger = logging.getLogger("odibi.reports")

MAX_TEXT = 200
"""Longest text value kept in a sample (longer ones are cut and end with an ellipsis). Values are
redacted before they are cut, so a cut never leaves a piece of a secret behind."""

MAX_BINARY = 24
"""Bytes of a binary value shown (base64) in a sample, after redaction."""


@dataclass(frozen=True)
class ObserveOptions:
    """What to observe of one node's output.

    Attributes:
        sample_rows: Rows to sample (0: no sample).
        sample_note: Why there is no sample when ``sample_rows`` is 0 (e.g. a sensitive node).
        mask_columns: Columns whose sampled values are replaced by the mask (``[REDACTED]``).
        profile: Count nulls and distinct values of every column (one pass over the output).
    """

    sample_rows: int = 0
    sample_note: str | None = None
    mask_columns: tuple[str, ...] = ()
    profile: bool = False


def observe_options(reports: ReportsConfig, node: NodeConfig) -> ObserveOptions | None:
    """The options the ``reports:`` section and the node's own keys ask for (``None``: nothing).

    Samples are off unless ``reports.samples`` or the node's ``report_samples`` turns them on
    (the node's key wins); a ``sensitive`` node never shows rows."""
    samples = reports.samples if node.report_samples is None else node.report_samples
    if not reports.enabled or not (samples or reports.profile):
        return None
    rows, note = 0, None
    if samples:
        if node.sensitive:
            note = "withheld: the node is marked sensitive"
        else:
            rows = reports.sample_rows
    return ObserveOptions(rows, note, tuple(node.mask_columns), reports.profile)


def observe(engine: Engine, frame: Any, result: NodeResult, options: ObserveOptions | None) -> None:
    """Fill ``result.sample``/``sample_note``/``profile`` as ``options`` ask; never raises."""
    if options is None or frame is None:
        return
    if result.sample is not None or result.sample_note is not None:
        pass  # looked at already (a read node is sampled as it is read)
    elif options.sample_rows > 0:
        try:
            result.sample, result.sample_note = _sample(engine, frame, result, options)
        except Exception as exc:
            result.sample, result.sample_note = None, f"not taken: {type(exc).__name__}"
            logger.debug("node %s: sample failed: %s", result.name, exc)
    elif options.sample_note:
        result.sample_note = options.sample_note
    if options.profile and result.profile is None:
        try:
            result.profile = _profile(engine, frame, result)
        except Exception as exc:
            result.profile = {"error": f"profile not taken: {type(exc).__name__}"}
            logger.debug("node %s: profile failed: %s", result.name, exc)


def _sample(
    engine: Engine, frame: Any, result: NodeResult, options: ObserveOptions
) -> tuple[list[dict[str, Any]] | None, str | None]:
    table = engine.sample(frame, options.sample_rows)
    if table is None:
        return None, (
            "not taken: this output is computed only by the nodes that read it, "
            "so a sample would cost another pass over the data"
        )
    return masked_rows(table, options)


def masked_rows(
    table: Any, options: ObserveOptions
) -> tuple[list[dict[str, Any]] | None, str | None]:
    """The first ``options.sample_rows`` rows of the Arrow ``table`` as JSON data, values of
    ``mask_columns`` masked; ``(None, why)`` when a masked column is missing (misspelt)."""
    known = {c.lower() for c in table.column_names}
    unknown = [c for c in options.mask_columns if c.lower() not in known]
    if unknown:
        # a misspelt mask must not show the column it meant to hide under its real name
        return (
            None,
            f"withheld: mask_columns names column(s) not in the output: {', '.join(unknown)}",
        )
    masked = {c.lower() for c in options.mask_columns}
    mask = current_mask()
    rows = []
    for row in table.slice(0, options.sample_rows).to_pylist():
        rows.append(
            {
                k: (mask if k.lower() in masked and v is not None else json_safe(v))
                for k, v in row.items()
            }
        )
    return rows, None


def _profile(engine: Engine, frame: Any, result: NodeResult) -> dict[str, Any]:
    from odibi_core.engines.sql_literals import quote_identifier

    schema = result.schema_out or engine.schema(frame)
    expressions = {"rows": "count(*)"}
    for i, column in enumerate(schema):
        quoted = quote_identifier(column.name)
        expressions[f"n{i}"] = f"count({quoted})"
        expressions[f"d{i}"] = f"count(DISTINCT {quoted})"
    values = engine.aggregate(frame, expressions)
    rows = int(values.get("rows") or 0)
    columns = []
    for i, column in enumerate(schema):
        nulls = rows - int(values.get(f"n{i}") or 0)
        columns.append(
            {
                "name": column.name,
                "type": column.type,
                "nulls": nulls,
                "null_ratio": round(nulls / rows, 6) if rows else 0.0,
                "distinct": int(values.get(f"d{i}") or 0),
            }
        )
    return {"rows": rows, "columns": columns}


def json_safe(value: Any) -> Any:
    """``value`` as plain JSON data, redacted: long text cut, bytes summarised, ISO dates.

    Text and bytes are redacted *before* they are cut or summarised (a secret cut in half would
    no longer be found whole)."""
    if value is None or isinstance(value, (bool, int)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, str):
        value = redact_text(value)
        return value if len(value) <= MAX_TEXT else value[:MAX_TEXT] + "…"
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, (decimal.Decimal, dt.timedelta)):
        return str(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        size = len(value) if not isinstance(value, memoryview) else value.nbytes
        data = redact_value(bytes(value))
        if not isinstance(data, bytes):  # redaction failed: show nothing of the value
            return f"<{size} bytes>"
        shown = base64.b64encode(data[:MAX_BINARY]).decode()
        return f"<{size} bytes: {shown}{'…' if len(data) > MAX_BINARY else ''}>"
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    return json_safe(str(value))
