"""Validation tests of the original (2.x/3.x ``tests:`` lists, contracts) as ``validation:``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from odibi_migrate.report import Report


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(value: Any) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


def _range_check(column: str, low: Any, high: Any, name: str | None) -> dict[str, str]:
    """A ``custom`` check: ``column`` within ``[low, high]`` (NULLs pass, as in the original)."""
    quoted = _quote(column)
    parts = [f"{quoted} >= {_literal(low)}"] if low is not None else []
    parts += [f"{quoted} <= {_literal(high)}"] if high is not None else []
    condition = " AND ".join(parts) or "TRUE"
    return {"name": name or f"range_{column}", "sql": f"{quoted} IS NULL OR ({condition})"}


def _gates(validation: dict[str, Any], out: dict[str, Any], report: Report, where: str) -> None:
    """The 2.x shorthand gates: ``not_empty``, ``no_nulls`` and ``ranges``."""
    if validation.pop("not_empty", None):
        out["row_count"] = {**out.get("row_count", {}), "min": 1}
        report.changed(where, "validation `not_empty` became `row_count: {min: 1}`")
    no_nulls = validation.pop("no_nulls", None)
    if no_nulls:
        out.setdefault("not_null", []).extend(no_nulls)
        report.changed(where, "validation `no_nulls` became `not_null`")
    ranges = validation.pop("ranges", None) or {}
    for column, bounds in ranges.items():
        bounds = bounds or {}
        check = _range_check(column, bounds.get("min"), bounds.get("max"), None)
        out.setdefault("custom", []).append(check)
        report.changed(where, f"validation `ranges.{column}` became a custom SQL check")


def convert_tests(
    validation: dict[str, Any],
    extra: list[Any],
    report: Report,
    where: str,
    locate: Callable[[Any, str], str] | None = None,
) -> dict[str, Any]:
    """Our ``validation:`` section for the original's ``validation:`` and ``contracts:``.

    ``locate(test, where)`` gives the ``file:line`` of one test (default: ``where``).
    """
    validation = dict(validation)
    out: dict[str, Any] = {}
    tests = list(validation.pop("tests", []) or []) + list(extra)
    warn = False
    for test in tests:
        at = locate(test, where) if locate is not None else where
        kind = test.get("type")
        name = test.get("name")
        if test.get("on_fail") in ("warn", "WARN"):
            warn = True
        if kind == "not_null":
            out.setdefault("not_null", []).extend(test["columns"])
        elif kind == "unique":
            cols = test["columns"]
            out.setdefault("unique", []).append(cols[0] if len(cols) == 1 else list(cols))
        elif kind == "accepted_values":
            out.setdefault("accepted_values", {})[test["column"]] = list(test["values"])
        elif kind == "row_count":
            out["row_count"] = {k: test[k] for k in ("min", "max") if test.get(k) is not None}
        elif kind == "range":
            check = _range_check(test["column"], test.get("min"), test.get("max"), name)
            out.setdefault("custom", []).append(check)
        elif kind == "regex_match":
            column = _quote(test["column"])
            sql = f"{column} IS NULL OR regexp_matches({column}, {_literal(test['pattern'])})"
            out.setdefault("custom", []).append(
                {"name": name or f"regex_{test['column']}", "sql": sql}
            )
        elif kind == "custom_sql":
            if test.get("threshold"):
                report.unconverted(
                    at,
                    f"custom_sql threshold {test['threshold']}: checks here allow no failing "
                    "rows; the threshold was dropped",
                )
            out.setdefault("custom", []).append(
                {"name": name or f"custom_{len(out.get('custom', []))}", "sql": test["condition"]}
            )
        else:
            report.unconverted(
                at,
                f"validation test `{kind}` has no counterpart "
                "(freshness, volume_drop, schema and distribution checks: write a "
                "`custom` SQL check or a Python step)",
            )
            continue
        report.changed(at, f"validation test `{kind}` converted")
    mode = validation.pop("mode", None) or validation.pop("on_fail", None)
    if mode in ("warn", "WARN") or warn:
        out["on_failure"] = "warn"
    for key in ("quarantine", "gate"):
        if validation.pop(key, None):
            report.unconverted(
                where,
                f"validation `{key}` has no counterpart: failing rows stop the node "
                "(`on_failure: fail`) or are logged (`warn`)",
            )
    _gates(validation, out, report, where)
    for key in ("fail_fast", "cache_df"):
        validation.pop(key, None)
    for key in ("not_null", "unique", "accepted_values", "row_count"):  # already in our shape (2.x)
        if key in validation:
            out[key] = validation.pop(key)
            report.changed(where, f"validation `{key}` kept")
    for key in validation:
        report.unconverted(where, f"validation key `{key}` has no counterpart")
    return out
