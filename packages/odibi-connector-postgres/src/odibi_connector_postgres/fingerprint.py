"""Source fingerprints of PostgreSQL reads, for ``odibi run --resume``.

PostgreSQL has no cheap, exact "has this table changed" marker, so by default a read's marker is
``None``: the node reruns on every ``--resume`` (never stale, sometimes slower). A read opts in to
one of two markers with a read option:

``change_column: <column>`` (tables and queries; exact)
    ``count(*)`` and ``max(<column>)`` of the whole source in one snapshot, plus its column list:
    exact at the moment it is taken, at the cost of one aggregate query (an index on the column
    makes it cheap). Every change must raise the column (an ``updated_at`` set by every write, a
    sequence) or change the row count; an ``UPDATE`` that does neither goes unseen.

``change_statistics: true`` (tables; cheap, may lag)
    The table's kind, file node (changed by ``TRUNCATE``, ``VACUUM FULL``, ``CLUSTER`` and
    rewrites), size on disk, column list, and PostgreSQL's cumulative counters of inserted,
    updated and deleted rows (``pg_stat_all_tables``); no row is read. The counters are published
    by each session when it disconnects, or when it has been idle for a while (PostgreSQL 15:
    up to about 10 seconds): a change committed by a session that is still connected (an
    application's connection pool) can stay invisible for that long, and a resume started in that
    window reuses stale data. Use it for tables loaded by jobs that disconnect when done. Views,
    partitioned and foreign tables have no counters, nor does a server with ``track_counts``
    off: their marker stays ``None``.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from odibi_connector_postgres.errors import translated
from odibi_connector_postgres.identifiers import TableName

if TYPE_CHECKING:
    import psycopg
    from odibi_core.plugin import ReadRequest

    from odibi_connector_postgres.connection import PostgresConnection

STATS_SQL = """SELECT c.relkind::text, pg_relation_filenode(c.oid), pg_relation_size(c.oid),
  coalesce(s.n_tup_ins, -1), coalesce(s.n_tup_upd, -1), coalesce(s.n_tup_del, -1),
  current_setting('track_counts'),
  (SELECT string_agg(a.attname || ':' || a.atttypid::text, ',' ORDER BY a.attnum)
     FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped)
FROM pg_class c LEFT JOIN pg_stat_all_tables s ON s.relid = c.oid
WHERE c.oid = to_regclass(%s)"""

COUNTED_KINDS = ("r", "m")
"""Ordinary tables and materialised views: the kinds whose statistics count row changes."""


def source_fingerprint(connection: PostgresConnection, request: ReadRequest) -> str | None:
    """The marker of ``request`` (see the module docstring), or ``None`` if none can be had."""
    options = request.options or {}
    if options.get("change_column"):
        return _exact(connection, request, str(options["change_column"]))
    if options.get("change_statistics") is True and request.table:
        return _stats(connection, TableName.parse(request.table))
    return None


def _stats(connection: PostgresConnection, table: TableName) -> str | None:
    conn = connection.connect(autocommit=True)
    try:
        with translated(connection=connection.name, action=f"fingerprint table {table}"):
            conn.execute("SELECT pg_stat_clear_snapshot()")
            row = conn.execute(STATS_SQL, (table.regclass_text(),)).fetchone()
    finally:
        conn.close()
    if row is None or row[0] not in COUNTED_KINDS or row[6] != "on" or row[1] is None:
        return None
    return "pg-stats:" + _digest(row)


def _exact(connection: PostgresConnection, request: ReadRequest, column: str) -> str | None:
    from psycopg import sql

    from odibi_connector_postgres.reading import plan_read

    plan = plan_read(replace(request, incremental_column=None, incremental_after=None))
    source = sql.SQL(plan.source())
    conn: psycopg.Connection[Any] = connection.connect(autocommit=False)
    try:
        with translated(connection=connection.name, action=f"fingerprint {plan.what}"):
            conn.read_only = True
            described = conn.execute(
                sql.SQL("SELECT * FROM ({}) AS odibi_describe LIMIT 0").format(source)
            ).description
            columns = [(c.name, c.type_code) for c in described or ()]
            row = conn.execute(
                sql.SQL("SELECT count(*), max({})::text FROM ({}) AS odibi_marker").format(
                    sql.Identifier(column), source
                )
            ).fetchone()
            conn.rollback()
    finally:
        conn.close()
    return "pg-exact:" + _digest((row, columns))


def _digest(value: object) -> str:
    return hashlib.sha256(repr(value).encode("utf-8")).hexdigest()[:32]
