"""Bind the table names of every SQL step to the frames the step can see (``odibi validate``).

A SQL step sees its node's upstream nodes (``depends_on``) by name and, once the node has a frame,
``this``. Each step is parsed with sqlglot in the engine's SQL dialect; every table it reads that is
neither visible, nor a CTE of the same statement, nor qualified (``schema.table``), nor a table
function (``read_csv(...)``), nor a file path (``'data/*.csv'``) is reported with a "did you
mean" at the step's line. A step sqlglot cannot parse is left to the engine (sqlglot does not know
every dialect's every corner). sqlglot is imported only here, so only ``validate`` pays for it.
"""

from __future__ import annotations

import logging
from typing import Any

from odibi_core.config.locations import LocationMap
from odibi_core.config.problems import ERROR, Problem, located
from odibi_core.config.project_checks import dependencies, iter_nodes, iter_pipelines
from odibi_core.config.suggestions import did_you_mean

logger = logging.getLogger("odibi.config")

CURRENT_FRAME = "this"


def sql_steps(node: dict[str, Any]) -> list[tuple[int, str, bool]]:
    """``(index, sql, is_mapping)`` of every SQL step of a raw node."""
    transform = node.get("transform")
    steps = transform.get("steps") if isinstance(transform, dict) else None
    found: list[tuple[int, str, bool]] = []
    for i, step in enumerate(steps if isinstance(steps, list) else []):
        if isinstance(step, str):
            found.append((i, step, False))
        elif isinstance(step, dict) and isinstance(step.get("sql"), str) and "function" not in step:
            found.append((i, step["sql"], True))
    return found


def tables_read(sql: str, dialect: str) -> list[str] | None:
    """Unqualified table names ``sql`` reads, CTEs and table functions left out; ``None`` if
    sqlglot cannot parse it."""
    import sqlglot
    from sqlglot import exp

    try:
        statements = sqlglot.parse(sql, read=dialect)
    except (sqlglot.errors.ParseError, sqlglot.errors.TokenError) as exc:
        logger.debug("SQL not parsed (left to the engine): %s", str(exc).splitlines()[0])
        return None
    except Exception as exc:  # sqlglot has rough corners in some dialects
        logger.debug("SQL not parsed (left to the engine): %s: %s", type(exc).__name__, exc)
        return None
    names: list[str] = []
    for statement in statements:
        if statement is None:
            continue
        ctes = {cte.alias_or_name.casefold() for cte in statement.find_all(exp.CTE)}
        for table in statement.find_all(exp.Table):
            if (
                not isinstance(table.this, exp.Identifier)
                or table.args.get("db")
                or table.args.get("catalog")
            ):
                continue
            name = table.name
            if not name or name.casefold() in ctes or any(c in name for c in "./\\*?"):
                continue
            names.append(name)
    return list(dict.fromkeys(names))


def check_sql_tables(
    data: Any, locations: LocationMap, dialect: str, *, severity: str = ERROR
) -> list[Problem]:
    """A problem for every table a SQL step reads that it cannot see (see the module docstring)."""
    problems: list[Problem] = []
    for p, pipeline in iter_pipelines(data):
        nodes = {node["name"]: n for n, node in iter_nodes(pipeline)}
        for n, node in iter_nodes(pipeline):
            deps = [d for _, d in dependencies(node)]
            if any(d not in nodes for d in deps):
                continue  # the unknown dependency is reported; its SQL would only repeat it
            has_frame = node.get("read") is not None or len(set(deps)) == 1
            for i, sql, is_mapping in sql_steps(node):
                visible = {d.casefold(): d for d in deps}
                if has_frame or i > 0:
                    visible[CURRENT_FRAME] = CURRENT_FRAME
                for name in tables_read(sql, dialect) or []:
                    if name.casefold() in visible:
                        continue
                    path = (
                        "pipelines",
                        p,
                        "nodes",
                        n,
                        "transform",
                        "steps",
                        i,
                        *(["sql"] if is_mapping else []),
                    )
                    problems.append(
                        located(
                            locations,
                            path,
                            _message(name, node["name"], visible, nodes),
                            severity=severity,
                        )
                    )
    return problems


def _message(name: str, node: str, visible: dict[str, str], nodes: dict[str, int]) -> str:
    seen = ", ".join(sorted(visible.values())) or "no tables"
    if name in nodes and name != node:
        return (
            f"unknown table {name!r}: node {name!r} is in this pipeline but not in the "
            f"depends_on of "
            f"node {node!r} (this step sees: {seen})"
        )
    suggestion = did_you_mean(name, [*visible.values(), *nodes])
    return f"unknown table {name!r}{suggestion}; this step sees: {seen}"
