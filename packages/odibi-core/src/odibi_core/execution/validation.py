"""Node validations compiled into one aggregate query (one pass over the data, which computes
every column of the frame: a check never passes on a frame that fails to compute)."""

from __future__ import annotations

from typing import Any

from odibi_core.config.models import ValidationConfig
from odibi_core.contracts.engine import Engine
from odibi_core.contracts.lifecycle import ValidationOutcome
from odibi_core.engines.sql_literals import quote_identifier, sql_literal


def build_checks(config: ValidationConfig) -> dict[str, tuple[str, str]]:
    """``alias -> (rule description, SQL aggregate)``; each aggregate counts failing rows."""
    checks: dict[str, tuple[str, str]] = {"rows": ("row_count", "count(*)")}
    for i, column in enumerate(config.not_null):
        checks[f"not_null_{i}"] = (
            f"not_null({column})",
            f"count(*) - count({quote_identifier(column)})",
        )
    for i, cols in enumerate(config.unique):
        columns = [cols] if isinstance(cols, str) else list(cols)
        key = ", ".join(quote_identifier(c) for c in columns)
        expr = (
            f"count(*) - count(DISTINCT ({key}))"
            if len(columns) > 1
            else (f"count({key}) - count(DISTINCT {key})")
        )
        checks[f"unique_{i}"] = (f"unique({', '.join(columns)})", expr)
    for i, (column, values) in enumerate(config.accepted_values.items()):
        allowed = ", ".join(sql_literal(v) for v in values)
        col = quote_identifier(column)
        checks[f"accepted_{i}"] = (
            f"accepted_values({column})",
            f"count(*) FILTER (WHERE {col} IS NOT NULL AND {col} NOT IN ({allowed}))",
        )
    for i, custom in enumerate(config.custom):
        checks[f"custom_{i}"] = (
            f"custom({custom.name})",
            f"count(*) FILTER (WHERE NOT coalesce(({custom.sql}), FALSE))",
        )
    return checks


def run_validations(
    engine: Engine, frame: Any, config: ValidationConfig
) -> tuple[list[ValidationOutcome], int]:
    """Evaluate every rule of ``config`` on ``frame``; return outcomes and the row count."""
    checks = build_checks(config)
    # compute, not aggregate: every column of the frame is computed in the same pass, so no check
    # passes (a row count) on a frame a column of which cannot be computed
    values = engine.compute(frame, {alias: expr for alias, (_, expr) in checks.items()})
    rows = int(values.get("rows") or 0)
    outcomes: list[ValidationOutcome] = []
    for alias, (rule, _) in checks.items():
        if alias == "rows":
            continue
        failing = int(values.get(alias) or 0)
        detail = "ok" if failing == 0 else f"{failing} of {rows} rows fail"
        outcomes.append(ValidationOutcome(rule, failing == 0, detail, failing))
    if config.row_count is not None:
        low, high = config.row_count.min, config.row_count.max
        passed = (low is None or rows >= low) and (high is None or rows <= high)
        bounds = f"[{low if low is not None else ''}..{high if high is not None else ''}]"
        outcomes.append(
            ValidationOutcome("row_count", passed, f"{rows} rows, expected {bounds}", None)
        )
    return outcomes, rows
