"""One call of every transformer over the same small inputs (shared by the parity tests)."""

from __future__ import annotations

import datetime as dt
from typing import Any

T = dt.datetime

ROWS = {
    "id": [1, 1, 2, 3],
    "name": ["a ", "b", "c", None],
    "amount": [10.5, None, 3.0, 7.25],
    "updated_at": [T(2024, 1, 1, 10), T(2024, 1, 2, 10), T(2024, 1, 1), T(2024, 3, 5, 8, 30)],
    "code": ["1", "2", "x", "1"],
}
OTHER = {"id": [1, 3, 4], "label": ["A", "C", "D"]}
TARGET = {
    "id": [2, 3],
    "name": ["c", "old"],
    "amount": [3.0, 1.0],
    "updated_at": [T(2023, 1, 1), T(2023, 1, 1)],
    "code": ["x", "1"],
    "valid_to": [None, None],
    "is_current": [True, True],
}

CASES: list[tuple[str, dict[str, Any]]] = [
    ("select_columns", {"columns": ["name", "id"]}),
    ("drop_columns", {"columns": ["code"]}),
    ("rename_columns", {"mapping": {"id": "key"}}),
    ("add_prefix", {"prefix": "p_", "exclude": ["id"]}),
    ("add_suffix", {"suffix": "_x", "columns": ["amount"]}),
    ("normalize_column_names", {}),
    ("cast_columns", {"casts": {"amount": "int", "id": "string"}}),
    ("derive_columns", {"derivations": {"double": "amount * 2"}}),
    ("coalesce_columns", {"columns": ["amount", "id"], "output_col": "z"}),
    ("fill_nulls", {"values": {"amount": 0, "name": "?"}}),
    ("replace_values", {"columns": ["code"], "mapping": {"1": "one", "x": None}}),
    (
        "dict_based_mapping",
        {"column": "code", "mapping": {"1": "one"}, "default": "other", "output_column": "m"},
    ),
    (
        "case_when",
        {
            "output_col": "size",
            "cases": [{"condition": "amount > 5", "value": "'big'"}],
            "default": "'small'",
        },
    ),
    (
        "normalize_schema",
        {"rename": {"id": "ID"}, "drop": ["code"], "select_order": ["ID", "name"]},
    ),
    ("filter_rows", {"condition": "amount > 5 OR name = 'c'"}),
    ("distinct", {"columns": ["id"]}),
    ("deduplicate", {"keys": ["id"], "order_by": "updated_at DESC"}),
    ("sort", {"by": ["amount DESC"]}),
    ("limit", {"n": 10}),
    ("sample", {"fraction": 1.0}),
    ("validate_and_flag", {"rules": {"positive": "amount > 5", "named": "name IS NOT NULL"}}),
    ("join", {"right_dataset": "other", "on": "id", "how": "left"}),
    ("join", {"right_dataset": "other", "on": "id", "how": "anti"}),
    ("join", {"right_dataset": "other", "on": "id", "how": "full"}),
    ("union", {"datasets": ["other"]}),
    ("aggregate", {"group_by": ["id"], "aggregations": {"amount": "sum", "name": "count"}}),
    (
        "apply_mapping",
        {
            "column": "id",
            "mapping_source": "other",
            "source_key": "id",
            "source_value": "label",
            "output": "lab",
            "default": "none",
        },
    ),
    ("extract_date_parts", {"source_col": "updated_at", "parts": ["year", "month", "day", "hour"]}),
    ("date_add", {"col": "updated_at", "value": 3, "unit": "day"}),
    ("date_trunc", {"col": "updated_at", "unit": "month"}),
    ("date_diff", {"start_col": "updated_at", "end_col": "updated_at", "unit": "day"}),
    ("convert_timezone", {"col": "updated_at", "target_tz": "Europe/Paris"}),
    ("clean_text", {"columns": ["name"], "case": "upper"}),
    ("trim_whitespace", {}),
    ("concat_columns", {"columns": ["name", "code"], "separator": "-", "output_col": "c"}),
    ("split_part", {"col": "code", "delimiter": "x", "index": 1}),
    ("regex_replace", {"column": "name", "pattern": "[ab]", "replacement": "X"}),
    ("row_number", {"partition_by": ["id"], "order_by": ["updated_at DESC"]}),
    (
        "window_calculation",
        {
            "target_col": "rt",
            "function": "sum(amount)",
            "partition_by": ["id"],
            "order_by": "updated_at",
        },
    ),
    ("sessionize", {"timestamp_col": "updated_at", "user_col": "id", "threshold_seconds": 3600}),
    ("hash_columns", {"columns": ["name"]}),
    ("generate_surrogate_key", {"columns": ["id", "name"]}),
    ("generate_numeric_key", {"columns": ["id", "name"]}),
    ("pivot", {"group_by": ["id"], "pivot_col": "code", "agg_col": "amount", "values": ["1", "2"]}),
    (
        "unpivot",
        {"id_cols": ["id"], "value_vars": ["name", "code"], "var_name": "k", "value_name": "v"},
    ),
    ("scd2", {"keys": ["id"], "track_cols": ["name"], "effective_time_col": "updated_at"}),
    (
        "dimension",
        {
            "natural_key": "id",
            "surrogate_key": "sk",
            "unknown_member": True,
            "audit": {"load_timestamp": False, "source_system": "crm"},
        },
    ),
    (
        "fact",
        {
            "dimensions": [
                {
                    "source_column": "id",
                    "dimension_table": "dims",
                    "dimension_key": "id",
                    "surrogate_key": "sk",
                }
            ],
            "measures": ["amount", {"twice": "amount * 2"}],
        },
    ),
    (
        "date_dimension",
        {
            "start_date": "2024-12-28",
            "end_date": "2025-01-03",
            "fiscal_year_start_month": 7,
            "unknown_member": True,
        },
    ),
    ("aggregation", {"grain": ["id"], "measures": [{"name": "s", "expr": "sum(amount)"}]}),
]
"""(transformer, params) pairs, every transformer at least once."""

LIST_ROWS = {"id": [1, 2, 3, 4], "tags": [["a", "b"], [], None, ["c"]]}
"""The current frame of the cases in ``LIST_CASES`` (a list column)."""

LIST_CASES: list[tuple[str, dict[str, Any]]] = [
    ("explode_list_column", {"column": "tags"}),
    ("explode_list_column", {"column": "tags", "outer": True}),
]
"""Cases over ``LIST_ROWS`` instead of ``ROWS``."""
