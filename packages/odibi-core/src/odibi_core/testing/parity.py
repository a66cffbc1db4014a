"""Parity helpers: run one project on several engines and compare what each one wrote.

Outputs are compared as data, not bytes: every written file or table is read back with DuckDB
(independent of the engine under test), rows are normalised and sorted, then compared column by
column.

Normalisation and tolerance (the documented parity rules):

* column names and their order must be equal; the number of rows must be equal;
* rows are compared after sorting on all columns (``NULL`` first);
* integers, strings, booleans, dates and ``NULL`` must be equal exactly;
* floating-point numbers are equal when ``math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)``
  (:data:`FLOAT_REL_TOL`, :data:`FLOAT_ABS_TOL`): engines sum in different orders;
* a decimal compared with a float uses the same tolerance; two decimals must be equal in value
  (``1.50 == 1.5``);
* timestamps with a time zone are compared as UTC instants; naive timestamps as they are;
* column *types* are compared by family (integer, float, decimal, string, boolean, date,
  timestamp, timestamp with time zone); integer widths may differ (a Spark CSV ``int``).
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

FLOAT_REL_TOL = 1e-9
"""Relative tolerance for floating-point values."""

FLOAT_ABS_TOL = 1e-9
"""Absolute tolerance for floating-point values (values near zero)."""

READERS = {"csv": "read_csv", "parquet": "read_parquet", "json": "read_json_auto"}


def type_family(arrow_type: Any) -> str:
    """The family of an Arrow type: ``integer``, ``float``, ``decimal``, ``string`` ..."""
    import pyarrow as pa

    checks = [
        (pa.types.is_integer, "integer"),
        (pa.types.is_floating, "float"),
        (pa.types.is_decimal, "decimal"),
        (lambda t: pa.types.is_string(t) or pa.types.is_large_string(t), "string"),
        (pa.types.is_boolean, "boolean"),
        (pa.types.is_date, "date"),
    ]
    for check, family in checks:
        if check(arrow_type):
            return family
    if pa.types.is_timestamp(arrow_type):
        return "timestamp_tz" if arrow_type.tz else "timestamp"
    if pa.types.is_null(arrow_type):
        return "null"
    return str(arrow_type)


def read_output(path: Path, fmt: str) -> tuple[list[str], list[str], list[tuple[Any, ...]]]:
    """``(column names, type families, rows)`` of a written file, read with DuckDB."""
    import duckdb

    if not path.is_file():
        raise AssertionError(f"{path} is not a single file")
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    relation = con.sql(f"SELECT * FROM {READERS[fmt]}('{path}')")
    table = (getattr(relation, "to_arrow_table", None) or relation.fetch_arrow_table)()
    con.close()
    return summary(table)


def summary(table: Any) -> tuple[list[str], list[str], list[tuple[Any, ...]]]:
    """``(column names, type families, rows)`` of an Arrow table."""
    families = [type_family(f.type) for f in table.schema]
    rows = [tuple(r.values()) for r in table.to_pylist()]
    return table.schema.names, families, rows


def read_outputs(
    project_file: Path,
) -> dict[str, tuple[list[str], list[str], list[tuple[Any, ...]]]]:
    """``node -> (columns, families, rows)`` of every written output of the project, read back
    through its connection with the duckdb engine: local or remote files of any format, tables of
    plugin formats (Delta) too."""
    from odibi_core.config.loader import build_project, read_project_source
    from odibi_core.contracts.requests import ReadRequest
    from odibi_core.engines.duckdb_engine import DuckDBEngine
    from odibi_core.execution.formats import FormatDispatch
    from odibi_core.plugins.manager import create_plugin_manager
    from odibi_core.plugins.types import BuildContext

    pm = create_plugin_manager()
    project = build_project(read_project_source(project_file), pm)
    formats = FormatDispatch({name: reg.spec for name, reg in pm.formats().items()})
    engine = DuckDBEngine()
    outputs = {}
    try:
        for pipeline in project.config.pipelines:
            for node in pipeline.nodes:
                write = node.write
                if write is None or not write.path:
                    continue
                spec = pm.connection(project.config.connections[write.connection].type)
                context = BuildContext(
                    write.connection, project.project_dir, project.config.project
                )
                connection = spec.factory(project.connection_options[write.connection], context)
                connection.name = write.connection
                frame = formats.read(
                    engine, connection, ReadRequest(format=write.format, path=write.path)
                )
                outputs[f"{pipeline.pipeline}.{node.name}"] = summary(
                    engine.to_arrow(frame).read_all()
                )
                connection.close()
    finally:
        engine.close()
    return outputs


def normalize(value: Any) -> Any:
    """A value in the comparable form described in the module docstring."""
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(dt.timezone.utc)
    if isinstance(value, float) and math.isnan(value):
        return "NaN"
    if isinstance(value, (list, tuple)):
        return tuple(normalize(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((k, normalize(v)) for k, v in value.items()))
    return value


def _sort_key(row: Sequence[Any]) -> tuple[Any, ...]:
    key = []
    for value in row:
        if value is None:
            key.append((0, ""))
        elif isinstance(value, (int, float, decimal.Decimal)) and not isinstance(value, bool):
            key.append((1, f"{float(value):+.9e}"))
        else:
            key.append((2, repr(value)))
    return tuple(key)


def sorted_rows(rows: Iterable[Sequence[Any]]) -> list[tuple[Any, ...]]:
    """Rows normalised and sorted on all columns."""
    return sorted((tuple(normalize(v) for v in row) for row in rows), key=_sort_key)


def values_equal(a: Any, b: Any) -> bool:
    """Equality under the parity rules (float tolerance, decimal values, UTC instants)."""
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    numbers = (int, float, decimal.Decimal)
    if isinstance(a, numbers) and isinstance(b, numbers):
        if isinstance(a, float) or isinstance(b, float):
            return math.isclose(float(a), float(b), rel_tol=FLOAT_REL_TOL, abs_tol=FLOAT_ABS_TOL)
        return decimal.Decimal(a) == decimal.Decimal(b)
    if isinstance(a, tuple) and isinstance(b, tuple):
        return len(a) == len(b) and all(values_equal(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def assert_same_output(
    expected: tuple[list[str], list[str], list[tuple[Any, ...]]],
    actual: tuple[list[str], list[str], list[tuple[Any, ...]]],
    label: str,
) -> None:
    """Fail with the first difference between two :func:`read_output` results."""
    names, families, rows = expected
    other_names, other_families, other_rows = actual
    assert other_names == names, f"{label}: columns {other_names} != {names}"
    assert other_families == families, f"{label}: column types {other_families} != {families}"
    left, right = sorted_rows(rows), sorted_rows(other_rows)
    assert len(right) == len(left), f"{label}: {len(right)} rows != {len(left)}"
    for i, (want, got) in enumerate(zip(left, right, strict=True)):
        for column, x, y in zip(names, want, got, strict=True):
            assert values_equal(x, y), f"{label}: row {i} column {column}: {y!r} != {x!r}"


def run_on_engine(
    project_file: Path, engine: str, engine_options: dict[str, Any] | None = None
) -> list[Any]:
    """Run every pipeline of ``project_file`` with ``engine`` (the file is not changed)."""
    from odibi_core.config.loader import build_project, read_project_source
    from odibi_core.execution.runner import run_project
    from odibi_core.plugins.manager import create_plugin_manager

    source = read_project_source(project_file)
    source.data["engine"] = engine
    source.data["engine_options"] = dict(engine_options or {})
    pm = create_plugin_manager()
    return run_project(build_project(source, pm), pm)
