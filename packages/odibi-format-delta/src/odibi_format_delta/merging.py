"""``upsert`` and ``merge`` as one delta-rs MERGE (one atomic commit).

``upsert`` matches source and target rows on ``keys``: matched rows are updated with every source
column, new rows inserted. ``merge`` runs exactly the clauses the node spells out. In every
condition and expression the incoming rows are ``source`` and the table's rows ``target``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pyarrow as pa
    from deltalake import DeltaTable
    from odibi_core.contracts.connection import FileConnection
    from odibi_core.contracts.engine import WriteRequest

    from odibi_format_delta.options import DeltaWriteOptions


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def join_condition(keys: tuple[str, ...] | list[str], on: str | None) -> str:
    """``on``, or ``target.k = source.k AND ...`` over ``keys``."""
    if on:
        return on
    return " AND ".join(f"target.{_quoted(k)} = source.{_quoted(k)}" for k in keys)


def merge_batches(
    table: DeltaTable | None,
    reader: pa.RecordBatchReader,
    connection: FileConnection,
    request: WriteRequest,
    options: DeltaWriteOptions,
) -> dict[str, Any] | None:
    """Run the MERGE and return its metrics; ``None`` if there is no table yet (then every
    source row is new and the caller simply creates the table with them)."""
    if table is None:
        if request.mode == "merge" and options.when_not_matched_insert != "all":
            from odibi_format_delta.errors import DeltaTableMissing

            raise DeltaTableMissing(
                f"no Delta table at {connection.name}:{request.path} to merge into",
                hint="Create it first (mode overwrite), or use when_not_matched_insert: all.",
            )
        return None
    merger = table.merge(
        reader,
        join_condition(request.keys, options.on),
        source_alias="source",
        target_alias="target",
        merge_schema=options.schema_mode == "merge",
        streamed_exec=True,
    )
    if request.mode == "upsert":
        merger = merger.when_matched_update_all().when_not_matched_insert_all()
        return dict(merger.execute())
    merger = _apply_clauses(merger, options)
    return dict(merger.execute())


def _apply_clauses(merger: Any, options: DeltaWriteOptions) -> Any:
    update = options.when_matched_update
    if update == "all":
        merger = merger.when_matched_update_all()
    elif update is not None:
        merger = merger.when_matched_update(dict(update.set), predicate=update.condition)
    delete = options.when_matched_delete
    if delete not in (None, False):
        merger = merger.when_matched_delete(predicate=getattr(delete, "condition", None))
    insert = options.when_not_matched_insert
    if insert == "all":
        merger = merger.when_not_matched_insert_all()
    elif insert is not None:
        merger = merger.when_not_matched_insert(dict(insert.set), predicate=insert.condition)
    gone = options.when_not_matched_by_source_delete
    if gone not in (None, False):
        merger = merger.when_not_matched_by_source_delete(
            predicate=getattr(gone, "condition", None)
        )
    return merger
