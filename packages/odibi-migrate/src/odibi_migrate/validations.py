"""Validation tests of the original (2.x/3.x ``tests:`` lists, contracts) as ``validation:``."""

from __future__ import annotations

from typing import Any

from odibi_migrate.report import Report


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(value: Any) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


def convert_tests(
    validation: dict[str, Any], extra: list[Any], report: Report, where: str
) -> dict[str, Any]:
    """Our ``validation:`` section for the original's ``validation:`` and ``contracts:``."""
    validation = dict(validation)
    out: dict[str, Any] = {}
    tests = list(validation.pop("tests", []) or []) + list(extra)
    warn = False
    for test in tests:
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
            parts = []
            if test.get("min") is not None:
                parts.append(f"{_quote(test['column'])} >= {_literal(test['min'])}")
            if test.get("max") is not None:
                parts.append(f"{_quote(test['column'])} <= {_literal(test['max'])}")
            condition = " AND ".join(parts) or "TRUE"
            out.setdefault("custom", []).append(
                {
                    "name": name or f"range_{test['column']}",
                    "sql": f"{_quote(test['column'])} IS NULL OR ({condition})",
                }
            )
        elif kind == "regex_match":
            column = _quote(test["column"])
            sql = f"{column} IS NULL OR regexp_matches({column}, {_literal(test['pattern'])})"
            out.setdefault("custom", []).append(
                {"name": name or f"regex_{test['column']}", "sql": sql}
            )
        elif kind == "custom_sql":
            if test.get("threshold"):
                report.unconverted(
                    where,
                    f"custom_sql threshold {test['threshold']}: checks here allow no failing "
                    "rows; the threshold was dropped",
                )
            out.setdefault("custom", []).append(
                {"name": name or f"custom_{len(out.get('custom', []))}", "sql": test["condition"]}
            )
        else:
            report.unconverted(
                where,
                f"validation test `{kind}` has no counterpart "
                "(freshness, volume_drop, schema and distribution checks: write a "
                "`custom` SQL check or a Python step)",
            )
            continue
        report.changed(where, f"validation test `{kind}` converted")
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
    for key in ("fail_fast", "cache_df"):
        validation.pop(key, None)
    for key in ("not_null", "unique", "accepted_values", "row_count"):  # already in our shape (2.x)
        if key in validation:
            out[key] = validation.pop(key)
            report.changed(where, f"validation `{key}` kept")
    for key in validation:
        report.unconverted(where, f"validation key `{key}` has no counterpart")
    return out
