"""``upsert`` and ``merge`` as one delta-rs MERGE (one atomic commit).

``upsert`` matches source and target rows on ``keys``: matched rows are updated with every source
column, new rows inserted. ``merge`` runs exactly the clauses the node spells out. In every
condition and expression the incoming rows are ``source`` and the table's rows ``target``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pyarrow as pa
    from deltalake import DeltaTable
    from odibi_core.plugin import FileConnection, WriteRequest

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
    return dict(_apply_clauses(merger, merge_clauses(request, options)).execute())


@dataclass(frozen=True)
class MergeClause:
    """One clause of a merge, independent of the library that runs it.

    Attributes:
        action: ``update_all``, ``update``, ``delete``, ``insert_all``, ``insert`` or
            ``delete_by_source`` (``when not matched by source delete``).
        condition: SQL over ``source.`` / ``target.`` columns, or ``None``.
        assignments: Target column -> expression (``update`` and ``insert``).
    """

    action: str
    condition: str | None = None
    assignments: dict[str, str] | None = None


UPSERT_CLAUSES = (MergeClause("update_all"), MergeClause("insert_all"))
"""What ``mode: upsert`` does: update matched rows with every column, insert new ones."""


def merge_clauses(request: WriteRequest, options: DeltaWriteOptions) -> list[MergeClause]:
    """The clauses of ``request``'s merge, in Delta's order."""
    if request.mode == "upsert":
        return list(UPSERT_CLAUSES)
    found: list[MergeClause] = []
    for key, whole, one in (("when_matched_update", "update_all", "update"),
                            ("when_matched_delete", None, "delete"),
                            ("when_not_matched_insert", "insert_all", "insert"),
                            ("when_not_matched_by_source_delete", None, "delete_by_source")):
        value = getattr(options, key)
        if value in (None, False):
            continue
        if value == "all" and whole is not None:
            found.append(MergeClause(whole))
        else:
            found.append(MergeClause(one, getattr(value, "condition", None),
                                     dict(getattr(value, "set", None) or {}) or None))
    return found


def _apply_clauses(merger: Any, clauses: list[MergeClause]) -> Any:
    """delta-rs's ``TableMerger`` calls for ``clauses``."""
    for clause in clauses:
        if clause.action == "update_all":
            merger = merger.when_matched_update_all(predicate=clause.condition)
        elif clause.action == "update":
            merger = merger.when_matched_update(clause.assignments, predicate=clause.condition)
        elif clause.action == "delete":
            merger = merger.when_matched_delete(predicate=clause.condition)
        elif clause.action == "insert_all":
            merger = merger.when_not_matched_insert_all(predicate=clause.condition)
        elif clause.action == "insert":
            merger = merger.when_not_matched_insert(clause.assignments, predicate=clause.condition)
        else:
            merger = merger.when_not_matched_by_source_delete(predicate=clause.condition)
    return merger
