"""``${vars.x}``, ``${VAR}`` / ``${env:VAR}`` and ``${date:...}`` references of the original."""

from __future__ import annotations

import re
from typing import Any

from odibi_migrate.report import Report

VARS = re.compile(r"\$\{vars\.([A-Za-z0-9_]+)\}")
ENV = re.compile(r"\$\{(?:env:)?([A-Za-z0-9_]+)\}")
DATE = re.compile(r"\$\{date:[^}]+\}")


def substitute(
    value: Any,
    variables: dict[str, Any],
    report: Report,
    where: str,
    lines: dict[int, tuple[str, int]] | None = None,
) -> Any:
    """``value`` with ``${vars.x}`` replaced and ``${VAR}`` spelt ``${env:VAR}``, recursively.

    Each copied mapping and list inherits its original's entry in ``lines`` (``id -> file:line``).
    """
    copy: Any
    if isinstance(value, dict):
        copy = {k: substitute(v, variables, report, where, lines) for k, v in value.items()}
    elif isinstance(value, list):
        copy = [substitute(v, variables, report, where, lines) for v in value]
    else:
        return _substitute_text(value, variables, report, where)
    if lines is not None and id(value) in lines:
        lines[id(copy)] = lines[id(value)]
    return copy


def _substitute_text(value: Any, variables: dict[str, Any], report: Report, where: str) -> Any:
    if not isinstance(value, str):
        return value
    whole = VARS.fullmatch(value)
    if whole and whole.group(1) in variables:
        report.changed(where, f"`${{vars.{whole.group(1)}}}` replaced by its value")
        return variables[whole.group(1)]

    def var(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in variables:
            report.unconverted(where, f"`${{vars.{name}}}` is not defined in vars:; left as it was")
            return match.group(0)
        report.changed(where, f"`${{vars.{name}}}` replaced by its value")
        return str(variables[name])

    value = VARS.sub(var, value)

    def env(match: re.Match[str]) -> str:
        if match.group(0).startswith("${env:"):
            return match.group(0)
        report.changed(where, f"`{match.group(0)}` written `${{env:{match.group(1)}}}`")
        return f"${{env:{match.group(1)}}}"

    return ENV.sub(env, value)


def flag_dates(value: Any, report: Report, where: str) -> None:
    """Report every ``${date:...}`` left in ``value`` (outside SQL it cannot be converted)."""
    if isinstance(value, dict):
        for v in value.values():
            flag_dates(v, report, where)
    elif isinstance(value, list):
        for v in value:
            flag_dates(v, report, where)
    elif isinstance(value, str):
        for match in DATE.findall(value):
            report.unconverted(
                where,
                f"`{match}` outside SQL has no counterpart (dates are computed in SQL "
                "here); use a SQL step with CURRENT_DATE, or pass the date with "
                "`${env:NAME}`",
            )
