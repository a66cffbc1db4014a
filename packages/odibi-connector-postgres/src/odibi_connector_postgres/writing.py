"""Writing: Arrow batches into a table, one transaction per write, with four modes.

=============  =================================================================================
mode           what happens (all inside one transaction; any failure rolls everything back)
=============  =================================================================================
``overwrite``  ``TRUNCATE`` the table, then ``COPY`` the rows in
``append``     ``COPY`` the rows in
``upsert``     ``COPY`` into a temporary table, refuse NULL keys, then ``INSERT ... ON CONFLICT
               (keys) DO UPDATE``
``error``      fail if the table holds any row, else ``COPY`` the rows in
=============  =================================================================================

A missing table is created from the Arrow schema (see :mod:`odibi_connector_postgres.type_map`;
with ``upsert`` the keys become its primary key). An existing table keeps its definition: every
frame column must exist in it with a compatible type, or the write fails before any row moves.
Every identifier is composed with ``psycopg.sql``, never formatted into the SQL text.

An upsert key that is NULL is refused (:class:`~odibi_connector_postgres.errors.PostgresNullKey`,
naming the column and how many rows): ``ON CONFLICT`` never matches NULL with NULL, so such a row
would be inserted again by every run and the table would grow with each rerun. A failure while the
engine computes the rows (a bad cast half way through the data) is reported as
:class:`~odibi_connector_postgres.errors.SourceRowsFailed`, never as a connection failure, so it
is not retried.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from odibi_connector_postgres.encode import csv_chunks
from odibi_connector_postgres.errors import (
    PostgresError,
    PostgresNullKey,
    PostgresSchemaMismatch,
    PostgresTargetNotEmpty,
    guarded_batches,
)
from odibi_connector_postgres.identifiers import TableName
from odibi_connector_postgres.type_map import ACCEPTED_CATEGORIES, ddl_type, family

if TYPE_CHECKING:
    import psycopg
    import pyarrow as pa
    from odibi_core.plugin import WriteRequest
    from psycopg import sql

WRITE_MODES = ("overwrite", "append", "upsert", "error")


@dataclass(frozen=True)
class ExistingColumn:
    """A column of the target table as the catalog describes it."""

    name: str
    type: str
    category: str


def table_columns(conn: psycopg.Connection[Any], table: TableName) -> list[ExistingColumn] | None:
    """The columns of ``table``, or ``None`` if it does not exist (resolved as PostgreSQL does)."""
    row = conn.execute("SELECT to_regclass(%s)::oid", (table.regclass_text(),)).fetchone()
    if row is None or row[0] is None:
        return None
    rows = conn.execute(
        """SELECT a.attname, format_type(a.atttypid, a.atttypmod), t.typcategory
           FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
           WHERE a.attrelid = %s AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum""",
        (row[0],),
    ).fetchall()
    return [ExistingColumn(name, type_, category) for name, type_, category in rows]


def check_request(request: WriteRequest, schema: pa.Schema) -> TableName:
    """Reject what no database state can fix: mode, missing table name, keys not in the frame."""
    if request.mode not in WRITE_MODES:
        raise PostgresError(
            f"unknown write mode {request.mode!r}; postgres supports {', '.join(WRITE_MODES)}"
        )
    if not request.table:
        raise PostgresError("a postgres write needs `table:`")
    if request.options:
        raise PostgresError(
            f"postgres writes take no options; got {', '.join(sorted(request.options))}"
        )
    names = schema.names
    if len(set(names)) != len(names):
        duplicates = sorted({n for n in names if names.count(n) > 1})
        raise PostgresError(f"the frame has duplicate column names: {', '.join(duplicates)}")
    if request.mode == "upsert":
        if not request.keys:
            raise PostgresError("mode upsert needs keys: [...]")
        missing = [k for k in request.keys if k not in names]
        if missing:
            raise PostgresError(
                f"upsert keys not in the frame: {', '.join(missing)}; columns: {', '.join(names)}"
            )
    for field in schema:
        family(field.type)  # raises PostgresUnsupportedType early, before any SQL
    return TableName.parse(request.table)


def check_compatible(table: TableName, schema: pa.Schema, existing: list[ExistingColumn]) -> None:
    """Fail unless every frame column exists in ``table`` with a type that accepts it."""
    by_name = {c.name: c for c in existing}
    for field in schema:
        column = by_name.get(field.name)
        if column is None:
            from odibi_core.config.suggestions import did_you_mean

            raise PostgresSchemaMismatch(
                f"table {table} has no column {field.name!r}{did_you_mean(field.name, by_name)}; "
                f"its columns: {', '.join(by_name)}"
            )
        accepted = ACCEPTED_CATEGORIES[family(field.type)]
        if column.category not in accepted:
            raise PostgresSchemaMismatch(
                f"column {field.name!r} of table {table} is {column.type}, which cannot take "
                f"the frame's {field.type} values"
            )


def create_table(
    conn: psycopg.Connection[Any], table: TableName, schema: pa.Schema, keys: tuple[str, ...]
) -> None:
    """``CREATE TABLE`` with a column per field (types from the mapping), keys as primary key."""
    from psycopg import sql

    parts = [
        sql.SQL("{} {}").format(sql.Identifier(f.name), sql.SQL(ddl_type(f.type))) for f in schema
    ]
    if keys:
        parts.append(sql.SQL("PRIMARY KEY ({})").format(_identifiers(keys)))
    conn.execute(
        sql.SQL("CREATE TABLE {} ({})").format(table.identifier(), sql.SQL(", ").join(parts))
    )


def copy_in(
    conn: psycopg.Connection[Any],
    target: sql.Composable,
    names: list[str],
    reader: Iterable[pa.RecordBatch],
) -> int:
    """``COPY target (names) FROM STDIN`` every batch of ``reader``; return the row count."""
    from psycopg import sql

    statement = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT csv)").format(target, _identifiers(names))
    rows = 0
    with conn.cursor() as cursor, cursor.copy(statement) as copy:
        for count, data in csv_chunks(reader):
            copy.write(data)
            rows += count
    return rows


def write(
    conn: psycopg.Connection[Any], reader: pa.RecordBatchReader, request: WriteRequest
) -> int:
    """Run the whole write in one transaction on ``conn``; return rows written."""
    from psycopg import sql

    schema = reader.schema
    table = check_request(request, schema)
    names = list(schema.names)
    batches = guarded_batches(reader)
    with conn.transaction():
        conn.execute("SET LOCAL TimeZone TO 'UTC'")
        existing = table_columns(conn, table)
        if existing is None:
            create_table(conn, table, schema, request.keys if request.mode == "upsert" else ())
        else:
            check_compatible(table, schema, existing)
        if request.mode == "overwrite" and existing is not None:
            conn.execute(sql.SQL("TRUNCATE {}").format(table.identifier()))
        if request.mode == "error" and existing is not None:
            has_rows = conn.execute(
                sql.SQL("SELECT EXISTS (SELECT 1 FROM {})").format(table.identifier())
            ).fetchone()
            if has_rows and has_rows[0]:
                raise PostgresTargetNotEmpty(
                    f"table {table} already holds rows and write mode is 'error'"
                )
        if request.mode != "upsert":
            return copy_in(conn, table.identifier(), names, batches)
        return _upsert(conn, table, names, request.keys, batches)


def _upsert(
    conn: psycopg.Connection[Any],
    table: TableName,
    names: list[str],
    keys: tuple[str, ...],
    reader: Iterable[pa.RecordBatch],
) -> int:
    from psycopg import sql

    stage = sql.Identifier("odibi_upsert_stage")
    columns = _identifiers(names)
    conn.execute(
        sql.SQL(
            "CREATE TEMPORARY TABLE {} ON COMMIT DROP AS SELECT {} FROM {} WITH NO DATA"
        ).format(stage, columns, table.identifier())
    )
    rows = copy_in(conn, stage, names, reader)
    refuse_null_keys(conn, stage, table, keys, rows)
    updates = [n for n in names if n not in keys]
    action: sql.Composable
    if updates:
        action = sql.SQL("DO UPDATE SET {}").format(
            sql.SQL(", ").join(
                sql.SQL("{} = EXCLUDED.{}").format(sql.Identifier(n), sql.Identifier(n))
                for n in updates
            )
        )
    else:
        action = sql.SQL("DO NOTHING")
    conn.execute(
        sql.SQL("INSERT INTO {} ({}) SELECT {} FROM {} ON CONFLICT ({}) {}").format(
            table.identifier(), columns, columns, stage, _identifiers(keys), action
        )
    )
    return rows


def refuse_null_keys(
    conn: psycopg.Connection[Any],
    stage: sql.Composable,
    table: TableName,
    keys: tuple[str, ...],
    rows: int,
) -> None:
    """Raise :class:`PostgresNullKey` if any key column of the staged rows holds NULL."""
    from psycopg import sql

    counts = sql.SQL(", ").join(
        sql.SQL("count(*) FILTER (WHERE {} IS NULL)").format(sql.Identifier(k)) for k in keys
    )
    found = conn.execute(sql.SQL("SELECT {} FROM {}").format(counts, stage)).fetchone() or ()
    nulls = [(key, n) for key, n in zip(keys, found, strict=False) if n]
    if nulls:
        listed = ", ".join(f"{key!r} in {n} of {rows} row(s)" for key, n in nulls)
        raise PostgresNullKey(
            f"upsert into table {table} refused: key column(s) hold NULL: {listed}; NULL never "
            "matches NULL, so these rows would be inserted again by every run"
        )


def _identifiers(names: tuple[str, ...] | list[str]) -> sql.Composed:
    from psycopg import sql

    return sql.SQL(", ").join(sql.Identifier(n) for n in names)
