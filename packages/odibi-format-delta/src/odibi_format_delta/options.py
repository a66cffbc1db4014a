"""The ``read.options`` and ``write.options`` of a node with ``format: delta``.

Both are checked when the project loads (``odibi validate``), with file, line and key path. The
write options are validated knowing the node's ``mode`` and ``keys``, so a merge clause without
``mode: merge`` or a ``replace_where`` outside ``mode: overwrite`` is a config error, not a
surprise at run time.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal, Union

from odibi_core.plugin import PluginOptions
from pydantic import Field, ValidationInfo, field_validator, model_validator

FILTER_OPERATORS = ("=", "!=", "<", "<=", ">", ">=", "in", "not in")
"""Operators of a ``partition_filter`` entry."""


class DeltaReadOptions(PluginOptions):
    """``read.options`` with ``format: delta``: time travel, partition pruning, projection."""

    version: int | None = Field(None, ge=0, description="Read this table version (time travel).")
    timestamp: datetime | None = Field(
        None,
        description="Read the version current at this ISO 8601 time, e.g. `2026-11-30T00:00:00Z`.",
    )
    columns: list[str] | None = Field(
        None, min_length=1, description="Read only these columns (projection pushed into the scan)."
    )
    partition_filter: list[tuple[str, str, Any]] | None = Field(
        None,
        min_length=1,
        description="`[column, op, value]` entries, all of which must hold "
        "(op: `=`, `!=`, `<`, `<=`, "
        "`>`, `>=`, `in`, `not in`); files of other partitions are never opened.",
    )
    batch_rows: int = Field(
        100_000, ge=1, description="Rows per Arrow batch streamed to the engine."
    )

    @field_validator("partition_filter")
    @classmethod
    def _operators(
        cls, value: list[tuple[str, str, Any]] | None
    ) -> list[tuple[str, str, Any]] | None:
        for column, op, operand in value or []:
            if op not in FILTER_OPERATORS:
                raise ValueError(
                    f"operator {op!r} of {column!r} is not one of {', '.join(FILTER_OPERATORS)}"
                )
            if op in ("in", "not in") and not isinstance(operand, list):
                raise ValueError(f"operator {op!r} of {column!r} needs a list of values")
        return value

    @model_validator(mode="after")
    def _one_point_in_time(self) -> DeltaReadOptions:
        if self.version is not None and self.timestamp is not None:
            raise ValueError("give version or timestamp, not both")
        return self


class ClauseCondition(PluginOptions):
    """A delete clause of a merge (`when_matched_delete`, `when_not_matched_by_source_delete`)
    that applies only where the condition holds."""

    condition: str | None = Field(None, description="SQL over `source.` and `target.` columns.")


class UpdateClause(PluginOptions):
    """A merge clause spelled out (`when_matched_update`, `when_not_matched_insert`): which
    columns get which values, only where the condition holds."""

    set: dict[str, str] = Field(
        min_length=1,
        description="Target column -> SQL expression over `source.` / `target.` columns.",
    )
    condition: str | None = Field(None, description="Only rows for which this SQL holds.")


MergeAll = Literal["all"]
UpdateSpec = Union[MergeAll, UpdateClause]  # noqa: UP007 - pydantic evaluates it at runtime
DeleteSpec = Union[bool, ClauseCondition]  # noqa: UP007 - pydantic evaluates it at runtime

MERGE_CLAUSES = (
    "when_matched_update",
    "when_matched_delete",
    "when_not_matched_insert",
    "when_not_matched_by_source_delete",
)
"""The merge clause keys of :class:`DeltaWriteOptions`."""


class DeltaWriteOptions(PluginOptions):
    """``write.options`` with ``format: delta``."""

    partition_by: list[str] | None = Field(
        None, min_length=1, description="Partition columns of a new table (folders `col=value`)."
    )
    schema_mode: Literal["merge", "overwrite"] | None = Field(
        None,
        description="`merge` adds new columns to the table; `overwrite` (mode overwrite only) "
        "replaces "
        "its schema. Unset: a schema that differs from the table's is an error naming the columns.",
    )
    replace_where: str | None = Field(
        None,
        description="Mode overwrite only: replace just the rows matching this SQL predicate (e.g. "
        "`region = 'EU'`); every written row must match it.",
    )
    on: str | None = Field(
        None,
        description="Merge join condition over `source.` and `target.` (default: equal `keys`).",
    )
    when_matched_update: UpdateSpec | None = Field(
        None,
        description="Mode merge: `all`, or `{set: {col: expr}, condition: ...}` for matched rows.",
    )
    when_matched_delete: DeleteSpec | None = Field(
        None, description="Mode merge: `true` or `{condition: ...}` deletes matched rows."
    )
    when_not_matched_insert: UpdateSpec | None = Field(
        None, description="Mode merge: `all`, or `{set: {col: expr}, condition: ...}` for new rows."
    )
    when_not_matched_by_source_delete: DeleteSpec | None = Field(
        None,
        description="Mode merge: `true` or `{condition: ...}` deletes target rows the source "
        "lacks.",
    )
    target_file_size: int | None = Field(None, ge=1, description="Bytes per data file written.")
    configuration: dict[str, str] | None = Field(
        None,
        description="Table properties of a new table (e.g. `delta.enableChangeDataFeed: 'true'`).",
    )

    @model_validator(mode="after")
    def _fits_mode(self, info: ValidationInfo) -> DeltaWriteOptions:
        context = info.context or {}
        mode = context.get("mode")
        if mode is None:
            return self
        keys = context.get("keys") or []
        clauses = [c for c in MERGE_CLAUSES if getattr(self, c) not in (None, False)]
        if self.replace_where is not None and mode != "overwrite":
            raise ValueError(f"replace_where needs mode overwrite (mode is {mode})")
        if self.schema_mode == "overwrite" and mode != "overwrite":
            raise ValueError(f"schema_mode overwrite needs mode overwrite (mode is {mode})")
        if mode == "merge":
            if not clauses:
                raise ValueError(f"mode merge needs at least one of {', '.join(MERGE_CLAUSES)}")
            if not keys and not self.on:
                raise ValueError("mode merge needs keys: [...] or options.on")
        elif clauses or self.on:
            given = ", ".join(clauses + (["on"] if self.on else []))
            raise ValueError(f"{given} need mode merge (mode is {mode})")
        return self
