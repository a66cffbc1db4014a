"""SCD2 history: the node's write target gets new versions of changed rows, old ones closed.

The ``scd2`` transformer reads the node's write target (the table ``target``) and returns its next
full version: unchanged history, closed versions (``end_time_col`` set to the new row's effective
time, ``current_flag_col`` false) and new current versions. The node's write then replaces the
target in one transaction, so the write must go to a target that declares the ``scd2`` capability
(PostgreSQL tables; Delta tables when installed); ``odibi validate`` refuses plain files.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import Field

from odibi_transformers.registry import Params, transformer
from odibi_transformers.sqlbuild import alias, col, columns_of, current, require, table

if TYPE_CHECKING:
    from odibi_core.plugin import TransformerContext
    from sqlglot import exp


class SCD2Params(Params):
    """Track changes of ``track_cols`` per ``keys`` as SCD type 2 history in the write target."""

    keys: list[str] = Field(min_length=1, description="Columns identifying an entity.")
    track_cols: list[str] = Field(
        min_length=1, description="Columns whose change opens a new version."
    )
    effective_time_col: str = Field(
        description="Source column saying when the row's values became true."
    )
    start_time_col: str | None = Field(
        None,
        description="Copy of `effective_time_col` under this name "
        "(2.x kept only the effective column).",
    )
    end_time_col: str = Field(
        "valid_to", description="When a version stopped being current (NULL: current)."
    )
    current_flag_col: str = Field(
        "is_current", description="True on the current version of each key."
    )


def _changed(track: list[str]) -> exp.Expr:
    """Any tracked column of the source ``s`` differs from the target ``t`` (NULL-safe)."""
    from sqlglot import exp

    differs = [exp.NullSafeNEQ(this=col(c, "s"), expression=col(c, "t")) for c in track]
    return exp.paren(exp.or_(*differs))


def _on(keys: list[str]) -> exp.Expr:
    """The source ``s`` and the target ``t`` agree on every key."""
    from sqlglot import exp

    return exp.and_(*[exp.EQ(this=col(k, "s"), expression=col(k, "t")) for k in keys])


@transformer(
    "scd2",
    SCD2Params,
    group="history",
    target_capability="scd2",
    example="""
- transformer: scd2
  params:
    keys: [customer_id]
    track_cols: [email, tier]
    effective_time_col: updated_at
""",
)
def scd2(p: SCD2Params, ctx: TransformerContext) -> exp.Expr:
    """The write target's next SCD2 version: history kept, changed rows closed, new ones current."""
    from sqlglot import exp

    src = current(ctx, "scd2")
    require(ctx, src, [*p.keys, *p.track_cols, p.effective_time_col], "scd2")
    meta = {p.end_time_col.lower(), p.current_flag_col.lower()}
    if p.start_time_col:
        meta.add(p.start_time_col.lower())
    source_cols = [c for c in columns_of(ctx, src) if c.lower() not in meta]
    ts = exp.DataType.build("TIMESTAMP")

    def version(prefix: str) -> list[exp.Expr]:
        out: list[exp.Expr] = [col(c, prefix) for c in source_cols]
        if p.start_time_col:
            out.append(
                alias(exp.Cast(this=col(p.effective_time_col, prefix), to=ts), p.start_time_col)
            )
        return [
            *out,
            alias(exp.Cast(this=exp.null(), to=ts), p.end_time_col),
            alias(exp.true(), p.current_flag_col),
        ]

    if ctx.target is None:
        return exp.select(*version("s")).from_(table(src, "s"))
    target_cols = columns_of(ctx, ctx.target)
    require(ctx, ctx.target, [*p.keys, p.end_time_col, p.current_flag_col], "scd2 (write target)")
    names = [
        *source_cols,
        *([p.start_time_col] if p.start_time_col else []),
        p.end_time_col,
        p.current_flag_col,
    ]
    current_target = (
        exp.select(*(col(c) for c in target_cols))
        .from_(table(ctx.target))
        .where(exp.EQ(this=col(p.current_flag_col), expression=exp.true()))
        .subquery("t")
    )
    first_key = p.keys[0]
    new_rows = (
        exp.select(*version("s"))
        .from_(table(src, "s"))
        .join(current_target, on=_on(p.keys), join_type="LEFT")
        .where(exp.Is(this=col(first_key, "t"), expression=exp.null()))
    )
    changed_rows = (
        exp.select(*version("s"))
        .from_(table(src, "s"))
        .join(current_target.copy(), on=_on(p.keys), join_type="INNER")
        .where(_changed(p.track_cols))
    )
    in_target = {c.lower() for c in target_cols}

    def from_target(c: str) -> exp.Expr:
        return (
            col(c, "t") if c.lower() in in_target else alias(exp.null(), c)
        )  # a column new in the source

    closed_cols: list[exp.Expr] = []
    for c in names:
        if c.lower() == p.end_time_col.lower():
            closed_cols.append(alias(exp.Cast(this=col(p.effective_time_col, "s"), to=ts), c))
        elif c.lower() == p.current_flag_col.lower():
            closed_cols.append(alias(exp.false(), c))
        else:
            closed_cols.append(from_target(c))
    closed = (
        exp.select(*closed_cols)
        .from_(current_target.copy())
        .join(table(src, "s"), on=_on(p.keys), join_type="INNER")
        .where(_changed(p.track_cols))
    )
    changed_keys = (
        exp.select(*(col(k, "s") for k in p.keys))
        .from_(table(src, "s"))
        .join(current_target.copy(), on=_on(p.keys), join_type="INNER")
        .where(_changed(p.track_cols))
    )
    is_current = exp.EQ(this=col(p.current_flag_col, "t"), expression=exp.true())
    key_tuple = (
        exp.Tuple(expressions=[col(k, "t") for k in p.keys])
        if len(p.keys) > 1
        else col(p.keys[0], "t")
    )
    kept = (
        exp.select(*(from_target(c) for c in names))
        .from_(table(ctx.target, "t"))
        .where(
            exp.Not(
                this=exp.paren(
                    exp.And(
                        this=is_current,
                        expression=exp.In(this=key_tuple, query=changed_keys.subquery()),
                    )
                )
            )
        )
    )
    return exp.union(
        exp.union(exp.union(kept, closed, distinct=False), changed_rows, distinct=False),
        new_rows,
        distinct=False,
    )
