"""Converting one node of the original to a node of this Odibi."""

from __future__ import annotations

import functools
from typing import Any

from odibi_migrate.report import Report
from odibi_migrate.sql_rewrite import rewrite_date_references, rewrite_frame_references
from odibi_migrate.validations import convert_tests

RENAMED_TRANSFORMERS: dict[str, str] = {}
"""Original transformer names whose counterpart is called differently."""

NO_COUNTERPART = {
    "merge": "becomes `write: {mode: upsert, keys: ...}` on a target that supports upserts "
    "(PostgreSQL, Delta)",
    "detect_deletes": "no counterpart: compare keys with an anti-join in a SQL step "
    "(`SELECT ... FROM target t WHERE NOT EXISTS (SELECT 1 FROM this s WHERE s.id = t.id)`)",
    "cross_check": "no counterpart: compare inputs with a SQL step and a `validation.custom` check",
    "geocode": "no counterpart (it called an external service): write a Python `function:` step",
    "parse_json": "no counterpart: parse JSON in a SQL step (`json_extract`, `from_json` on Spark)",
    "normalize_json": "no counterpart: flatten JSON in a SQL step or a Python step",
    "unpack_struct": "no counterpart: select `column.*` in a SQL step",
    "flatten_struct": "no counterpart: select the struct's fields in a SQL step",
    "split_events_by_period": "no counterpart: write a Python `function:` step",
    "detect_sequential_phases": "no counterpart (domain-specific): "
    "keep it as a Python `function:` step",
    "fluid_properties": "no counterpart (CoolProp): keep it as a Python `function:` step",
    "saturation_properties": "no counterpart (CoolProp): keep it as a Python `function:` step",
    "psychrometrics": "no counterpart (CoolProp): keep it as a Python `function:` step",
    "unit_convert": "no counterpart (pint): convert units in a SQL step (`value * 0.0689476`)",
}
"""Original transformers without a counterpart, and what to write instead."""

SUPPORTED_FORMATS = ("csv", "parquet", "json", "delta")
PLAIN_WRITE_MODES = ("overwrite", "append")


@functools.cache
def _library() -> dict[str, Any]:
    """The transformer library by name (built once per process)."""
    from odibi_transformers.library import all_transformers

    return {s.name: s for s in all_transformers()}


def convert_transformer(
    name: str, params: dict[str, Any], node: dict[str, Any], report: Report, where: str
) -> dict[str, Any] | None:
    """A ``transformer:`` step for the original transformer ``name`` (``None``: not convertible)."""
    from pydantic import ValidationError

    library = _library()
    new_name = RENAMED_TRANSFORMERS.get(name, name)
    if name in NO_COUNTERPART and name != "merge":
        report.unconverted(where, f"transformer `{name}`: {NO_COUNTERPART[name]}")
        return None
    if name not in library:
        report.unconverted(
            where,
            f"transformer `{name}` is unknown to this Odibi; write it as SQL or a Python step",
        )
        return None
    params = dict(params or {})
    if name == "scd2":
        for key in (
            "target",
            "connection",
            "path",
            "use_delta_merge",
            "register_table",
            "vacuum_hours",
        ):
            if key in params:
                report.changed(
                    where, f"scd2 `{key}` dropped: the node's `write:` is the history table"
                )
                params.pop(key)
    if name == "dimension":
        for key in ("target",):
            params.pop(key, None)
        if params.get("scd_type") == 2:
            report.unconverted(
                where,
                "dimension with scd_type 2: use the `scd2` transformer for history and "
                "`generate_numeric_key` for keys",
            )
            return None
    if name == "fact":
        if params.get("orphan_handling") in ("reject", "quarantine"):
            report.unconverted(
                where,
                f"fact orphan_handling `{params['orphan_handling']}`: orphans now get key 0; "
                "add `validation: {accepted_values}` or a custom check to reject them",
            )
            params["orphan_handling"] = "unknown"
        params.pop("quarantine", None)
    if name == "pivot" and not params.get("values"):
        report.unconverted(
            where,
            "pivot without `values`: list the pivot values (a query cannot have "
            "data-dependent columns)",
        )
        return None
    spec = library[new_name]
    try:
        spec.params_model.model_validate(params)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
        )
        report.unconverted(where, f"transformer `{name}` params do not convert: {problems}")
        return None
    report.changed(where, f"transformer `{name}` became the step `- transformer: {new_name}`")
    return {"transformer": new_name, "params": params}


def convert_sql(sql: str, report: Report, where: str) -> str:
    """An original SQL step as ours: ``df`` becomes ``this``, ``${date:...}`` becomes SQL."""
    sql, failed = rewrite_date_references(sql)
    for text in failed:
        report.unconverted(
            where, f"`{text}` in SQL has no exact SQL equivalent; compute the date in SQL"
        )
    try:
        new, changed = rewrite_frame_references(sql)
    except ValueError as exc:
        report.unconverted(
            where, f"SQL could not be parsed ({exc}); `df` was not renamed to `this`"
        )
        return sql
    if changed:
        report.changed(where, "SQL: the current frame `df` is now called `this`")
    return new


def convert_read(
    read: dict[str, Any], report: Report, where: str, steps: list[Any]
) -> dict[str, Any]:
    """``read:`` and, for ``read.filter``, a SQL step appended to ``steps``."""
    out: dict[str, Any] = {}
    read = dict(read)
    for key in ("connection", "path", "table", "query"):
        if key in read:
            out[key] = read.pop(key)
    fmt = read.pop("format", None)
    if fmt is not None:
        if fmt in SUPPORTED_FORMATS:
            out["format"] = fmt
        elif fmt in ("sql", "sql_server", "azure_sql"):
            report.unconverted(
                where,
                f"read format `{fmt}`: read tables through a table connection "
                "(postgres) with `table:` or `query:`",
            )
        else:
            report.unconverted(where, f"read format `{fmt}` has no counterpart")
    options = dict(read.pop("options", {}) or {})
    if "header" in options:
        options.pop("header")
        report.changed(where, "read option `header` dropped: CSV headers are detected")
    if options:
        out["options"] = options
    inc = read.pop("incremental", None)
    if inc is not None:
        out["incremental"] = convert_incremental(dict(inc), report, where)
    flt = read.pop("filter", None)
    if flt:
        steps.append({"sql": f"SELECT * FROM this WHERE {flt}"})
        report.changed(where, "read `filter` became a SQL step `SELECT * FROM this WHERE ...`")
    for key in read:
        report.unconverted(where, f"read key `{key}` has no counterpart")
    return out


def convert_incremental(inc: dict[str, Any], report: Report, where: str) -> dict[str, Any]:
    """``read.incremental``: rolling windows stay so; ``stateful`` becomes a high-water mark."""
    column = inc.pop("column", None) or inc.pop("key_column", None)
    mode = inc.pop("mode", "rolling_window")
    out: dict[str, Any] = {"column": column}
    if mode == "stateful":
        report.changed(where, "incremental `stateful` became a high-water mark on the column")
    else:
        out["mode"] = "rolling_window"
        out["lookback"] = inc.pop("lookback", None) or 1
        out["unit"] = inc.pop("unit", None) or "day"
        report.changed(
            where,
            f"incremental rolling window kept: lookback {out['lookback']} {out['unit']}"
            + (" (the original default when unset)" if mode == "rolling_window" else ""),
        )
    inc.pop("lookback", None)
    inc.pop("unit", None)
    for key, value in inc.items():
        if value is not None:
            report.unconverted(where, f"incremental `{key}` has no counterpart")
    return out


def convert_write(write: dict[str, Any], report: Report, where: str) -> dict[str, Any]:
    """``write:``: plain modes kept; ``upsert``/``merge`` become ``upsert``; others flagged."""
    write = dict(write)
    out: dict[str, Any] = {"connection": write.pop("connection")}
    for key in ("path", "table"):
        if key in write:
            out[key] = write.pop(key)
    fmt = write.pop("format", None)
    if fmt in SUPPORTED_FORMATS:
        out["format"] = fmt
    elif fmt is not None:
        report.unconverted(
            where, f"write format `{fmt}`: write through a table connection (postgres)"
        )
    mode = write.pop("mode", "overwrite")
    options = dict(write.pop("options", {}) or {})
    keys = write.pop("merge_keys", None) or options.pop("keys", None)
    if mode in PLAIN_WRITE_MODES:
        out["mode"] = mode
    elif mode in ("upsert", "merge"):
        out["mode"] = "upsert"
        if keys:
            out["keys"] = list(keys)
        report.changed(
            where, f"write mode `{mode}` became `upsert`" + ("" if keys else " (add keys: [...])")
        )
        if not keys:
            report.unconverted(where, f"write mode `{mode}` without merge keys: add `keys:`")
    elif mode == "append_once":
        out["mode"] = "upsert"
        if keys:
            out["keys"] = list(keys)
        report.changed(
            where,
            "write mode `append_once` became `upsert` by the same keys (rows whose keys "
            "exist are updated instead of skipped)",
        )
    if options:
        out["options"] = options
    for key, value in write.items():
        if value not in (None, [], {}, False):
            report.unconverted(where, f"write key `{key}` has no counterpart")
    return out


def _merge_write(
    write: dict[str, Any] | None, params: dict[str, Any], report: Report, where: str
) -> dict[str, Any] | None:
    """The node's ``write:`` for the original ``merge`` transformer (``None``: no target here)."""
    for key in ("target", "connection", "path"):
        if params.get(key):
            report.unconverted(
                where,
                f"merge `{key}: {params[key]}`: the node's `write:` is the merge target now; "
                "point it at a table connection (postgres) or a delta path",
            )
    if not write or not write.get("connection"):
        report.unconverted(
            where, "merge without a `write:` target: add one with `mode: upsert, keys: [...]`"
        )
        return None
    report.changed(where, "transformer `merge` became `write: {mode: upsert, keys: ...}`")
    return {**write, "mode": "upsert", "merge_keys": params.get("keys")}


def convert_node(
    node: dict[str, Any], report: Report, where: str, lines: Any
) -> dict[str, Any] | None:
    """Our node for an original node (``None`` for a disabled node)."""
    node = dict(node)
    name = node.pop("name")
    if node.pop("enabled", True) is False:
        report.unconverted(
            where,
            f"node `{name}` is disabled (`enabled: false`); it was left out: "
            "remove it or select nodes with `odibi run --node`",
        )
        return None
    out: dict[str, Any] = {"name": name}
    description = node.pop("description", None)
    if description:
        out["description"] = description
    if node.get("depends_on"):
        out["depends_on"] = list(node.pop("depends_on"))
    node.pop("depends_on", None)
    steps: list[Any] = []
    read = node.pop("read", None)
    if read:
        out["read"] = convert_read(read, report, lines(read, where), steps)
    pattern = node.pop("pattern", None)
    transformer = node.pop("transformer", None)
    params = node.pop("params", {}) or {}
    if isinstance(pattern, dict):
        transformer, params = pattern.get("type"), {**params, **(pattern.get("params") or {})}
    write = node.pop("write", None)
    if transformer == "merge":
        write = _merge_write(write, params, report, where)
    elif transformer:
        step = convert_transformer(transformer, params, node, report, where)
        if step:
            steps.append(step)
            if isinstance(pattern, dict):
                report.changed(where, f"`pattern: {{type: {transformer}}}` became the first step")
    transform = node.pop("transform", None)
    if transform:
        for step in transform.get("steps", []) if isinstance(transform, dict) else []:
            converted = convert_step(step, report, lines(step, where))
            if converted is not None:
                steps.append(converted)
    if steps:
        out["transform"] = {"steps": steps}
    tests: list[Any] = []
    validation = node.pop("validation", None)
    contracts = node.pop("contracts", None)
    if contracts:
        report.changed(where, "contracts became validations (they now run after the transforms)")
        tests.extend(contracts)
    if validation or tests:
        out["validation"] = convert_tests(
            validation or {}, tests, report, lines(validation, where), lines
        )
    if write:
        out["write"] = convert_write(write, report, lines(write, where))
    sensitive = node.pop("sensitive", None)
    if sensitive is True:
        out["sensitive"] = True
    elif isinstance(sensitive, list):
        out["mask_columns"] = list(sensitive)
    for key in (
        "explanation",
        "runbook_url",
        "tags",
        "columns",
        "log_level",
        "cache",
        "materialized",
    ):
        if key in node and node[key] not in (None, [], {}, False):
            report.unconverted(where, f"node key `{key}` has no counterpart; it was left out")
        node.pop(key, None)
    on_error = node.pop("on_error", None)
    if on_error not in (None, "fail_fast", "fail"):
        report.unconverted(
            where,
            f"node `on_error: {on_error}`: set `on_error:` on the pipeline "
            "(`fail_fast` or `continue`); nodes have no own policy",
        )
    for key, value in node.items():
        if value not in (None, [], {}, False):
            report.unconverted(where, f"node key `{key}` has no counterpart; it was left out")
    return out


def convert_step(step: Any, report: Report, where: str) -> dict[str, Any] | str | None:
    """One ``transform.steps`` item."""
    if isinstance(step, str):
        return {"sql": convert_sql(step, report, where)}
    step = dict(step)
    if step.get("sql"):
        return {"sql": convert_sql(step["sql"], report, where)}
    if step.get("sql_file"):
        report.unconverted(
            where,
            f"`sql_file: {step['sql_file']}`: paste the file's SQL into a `sql:` step "
            "(and call the current frame `this`)",
        )
        return None
    name = step.get("function") or step.get("operation")
    params = step.get("params") or {}
    if step.get("operation") and "." in str(name):
        name = str(name).rsplit(".", 1)[1]  # 2.x module-qualified names: sql_core.clean_text
    if name in _library() or name in NO_COUNTERPART:
        return convert_transformer(name, params, {}, report, where)
    if step.get("function"):
        report.changed(
            where, f"function `{name}` from transforms.py runs through the generated shim"
        )
        out: dict[str, Any] = {"function": name}
        if params:
            out["params"] = params
        return out
    if name is None:
        keys = ", ".join(f"`{k}`" for k in step) or "none"
        report.unconverted(where, f"transform step with keys {keys} is not understood")
        return None
    report.unconverted(where, f"operation `{name}` has no counterpart")
    return None
