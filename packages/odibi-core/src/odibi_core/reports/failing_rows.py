"""The rows that fail a node's validation, for its run report (instead of its first rows).

When a validation rule fails and the report may show rows of the node (samples on for it, the
node not ``sensitive``), the report shows up to ``reports.sample_rows`` rows that fail one of the
failed rules: a row with the NULL, a row whose key repeats, a row with the value not accepted, a
row the custom condition rejects. ``mask_columns`` applies as for any sample. This costs one more
query over the node's output, and only on a failure. Best effort: a failure here is noted and
never changes the node's outcome.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from odibi_core.engines.sql_literals import quote_identifier, sql_literal

if TYPE_CHECKING:
    from odibi_core.config.models import ValidationConfig
    from odibi_core.contracts.engine import Engine
    from odibi_core.contracts.lifecycle import NodeResult, ValidationOutcome
    from odibi_core.reports.observe import ObserveOptions

logger = logging.getLogger("odibi.reports")

SAMPLES_OFF = (
    "failing rows not shown: report samples are off "
    "(`reports.samples: true`, or `report_samples: true` on the node)"
)
"""The note of a failed validation whose rows the report may not show."""

TABLE = "odibi_failing_rows_input"
"""Name the node's output has inside the failing-rows query."""


def failing_predicates(config: ValidationConfig) -> dict[str, str]:
    """``rule -> SQL condition`` true for the rows that fail it (rule names as in the outcomes;
    ``row_count`` has no failing row)."""
    predicates: dict[str, str] = {}
    table = quote_identifier(TABLE)
    for column in config.not_null:
        predicates[f"not_null({column})"] = f"{quote_identifier(column)} IS NULL"
    for cols in config.unique:
        columns = [cols] if isinstance(cols, str) else list(cols)
        key = ", ".join(quote_identifier(c) for c in columns)
        grouped = f"SELECT {key} FROM {table} GROUP BY {key} HAVING count(*) > 1"
        predicates[f"unique({', '.join(columns)})"] = (
            f"({key}) IN ({grouped})" if len(columns) > 1 else f"{key} IN ({grouped})"
        )
    for column, values in config.accepted_values.items():
        col = quote_identifier(column)
        allowed = ", ".join(sql_literal(v) for v in values)
        predicates[f"accepted_values({column})"] = f"{col} IS NOT NULL AND {col} NOT IN ({allowed})"
    for custom in config.custom:
        predicates[f"custom({custom.name})"] = f"NOT coalesce(({custom.sql}), FALSE)"
    return predicates


def failing_rows_query(config: ValidationConfig, rules: Sequence[str], limit: int) -> str | None:
    """The query for up to ``limit`` rows failing any of ``rules`` (``None``: none has rows)."""
    predicates = failing_predicates(config)
    chosen = [f"({predicates[r]})" for r in rules if r in predicates]
    if not chosen:
        return None
    return f"SELECT * FROM {quote_identifier(TABLE)} WHERE {' OR '.join(chosen)} LIMIT {int(limit)}"


def observe_failing_rows(
    engine: Engine,
    frame: Any,
    result: NodeResult,
    options: ObserveOptions | None,
    config: ValidationConfig,
    failed: Sequence[ValidationOutcome],
) -> None:
    """Set ``result.sample`` to rows failing the ``failed`` rules, as ``options`` allow; never
    raises."""
    from odibi_core.reports.observe import masked_rows

    if options is None or (options.sample_rows <= 0 and options.sample_note is None):
        result.sample, result.sample_note = None, SAMPLES_OFF
        return
    if options.sample_rows <= 0:
        return  # withheld (a sensitive node): the note says why
    rules = [o.rule for o in failed]
    query = failing_rows_query(config, rules, options.sample_rows)
    if query is None:
        return
    try:
        table = engine.to_arrow(engine.sql(query, {TABLE: frame})).read_all()
        rows, note = masked_rows(table, options)
    except Exception as exc:
        result.sample_note = f"failing rows not taken: {type(exc).__name__}"
        logger.debug("node %s: failing rows not taken: %s", result.name, exc)
        return
    result.sample, result.sample_note = rows, note
    if rows is not None:
        result.sample_failing = [r for r in rules if r in failing_predicates(config)]
