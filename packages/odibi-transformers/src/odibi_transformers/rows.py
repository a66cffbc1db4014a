"""Row filters and deduplication: filter, distinct, deduplicate, sort, limit, sample, flag."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import Field

from odibi_transformers.registry import Params, transformer
from odibi_transformers.sqlbuild import (
    alias,
    col,
    columns_of,
    current,
    lit,
    parse_expr,
    parse_order,
    projection,
    require,
    select_from,
)

if TYPE_CHECKING:
    from odibi_core.plugin import TransformerContext
    from sqlglot import exp

ROW_NUMBER_COLUMN = "_odibi_rn"
"""Helper column of ``deduplicate`` (never in the output)."""


class FilterRowsParams(Params):
    """Keep the rows where ``condition`` (a SQL condition) is true."""

    condition: str = Field(description="SQL condition, e.g. `amount > 0 AND status = 'open'`.")


@transformer(
    "filter_rows",
    FilterRowsParams,
    group="rows",
    example="""
- transformer: filter_rows
  params: {condition: "amount > 0 AND status <> 'void'"}
""",
)
def filter_rows(p: FilterRowsParams, ctx: TransformerContext) -> exp.Expr:
    """Keep the rows where a SQL condition is true."""
    src = current(ctx, "filter_rows")
    return select_from(src, [col(c) for c in columns_of(ctx, src)]).where(
        parse_expr(p.condition, "filter_rows.condition")
    )


class DistinctParams(Params):
    """Distinct rows over ``columns`` (default: all columns; only those columns are kept)."""

    columns: list[str] | None = Field(
        None, description="Columns to keep and compare (default: all)."
    )


@transformer(
    "distinct",
    DistinctParams,
    group="rows",
    example="""
- transformer: distinct
  params: {columns: [customer_id, country]}
""",
)
def distinct(p: DistinctParams, ctx: TransformerContext) -> exp.Expr:
    """Remove duplicate rows."""
    src = current(ctx, "distinct")
    chosen = p.columns or list(columns_of(ctx, src))
    require(ctx, src, chosen, "distinct")
    return select_from(src, [col(c) for c in chosen]).distinct()


class DeduplicateParams(Params):
    """One row per ``keys``: the first by ``order_by`` (e.g. `updated_at DESC`)."""

    keys: list[str] = Field(min_length=1, description="Columns that identify a row.")
    order_by: str | None = Field(
        None,
        description="SQL ORDER BY list choosing the row kept (e.g. `updated_at DESC`); "
        "without it an arbitrary row is kept.",
    )


@transformer(
    "deduplicate",
    DeduplicateParams,
    group="rows",
    example="""
- transformer: deduplicate
  params: {keys: [id], order_by: "updated_at DESC"}
""",
)
def deduplicate(p: DeduplicateParams, ctx: TransformerContext) -> exp.Expr:
    """Keep one row per key: the first in ``order_by``."""
    from sqlglot import exp

    src = current(ctx, "deduplicate")
    require(ctx, src, p.keys, "deduplicate")
    order = (
        parse_order(p.order_by, "deduplicate.order_by")
        if p.order_by
        else [exp.Ordered(this=col(p.keys[0]))]
    )
    window = exp.Window(
        this=exp.RowNumber(),
        partition_by=[col(k) for k in p.keys],
        order=exp.Order(expressions=order),
    )
    names = columns_of(ctx, src)
    inner = select_from(src, [*(col(c) for c in names), alias(window, ROW_NUMBER_COLUMN)])
    return (
        exp.select(*(col(c) for c in names))
        .from_(inner.subquery("ranked"))
        .where(exp.EQ(this=col(ROW_NUMBER_COLUMN), expression=lit(1)))
    )


class SortParams(Params):
    """Order rows by ``by`` (one column or several)."""

    by: str | list[str] = Field(description="Column(s), or SQL ORDER BY items like `amount DESC`.")
    ascending: bool = Field(True, description="Sort direction for items without ASC/DESC.")


@transformer(
    "sort",
    SortParams,
    group="rows",
    example="""
- transformer: sort
  params: {by: [country, "amount DESC"]}
""",
)
def sort(p: SortParams, ctx: TransformerContext) -> exp.Expr:
    """Order the rows (the order reaches the write; later steps may reorder)."""
    src = current(ctx, "sort")
    items = parse_order(p.by, "sort.by")
    if not p.ascending:
        for item in items:
            if (
                "desc" not in item.args
                or item.args.get("desc") is None
                or item.args.get("desc") is False
            ):
                item.set("desc", True)
    return select_from(src, [col(c) for c in columns_of(ctx, src)]).order_by(*items)


class LimitParams(Params):
    """The first ``n`` rows after skipping ``offset``."""

    n: int = Field(ge=0, description="Rows kept.")
    offset: int = Field(0, ge=0, description="Rows skipped first.")


@transformer(
    "limit",
    LimitParams,
    group="rows",
    example="""
- transformer: limit
  params: {n: 100}
""",
)
def limit(p: LimitParams, ctx: TransformerContext) -> exp.Expr:
    """Keep the first ``n`` rows (put a ``sort`` before it for a defined order)."""
    src = current(ctx, "limit")
    query = select_from(src, [col(c) for c in columns_of(ctx, src)]).limit(p.n)
    return query.offset(p.offset) if p.offset else query


class SampleParams(Params):
    """About ``fraction`` of the rows, chosen at random (repeatable with ``seed``)."""

    fraction: float = Field(gt=0, le=1, description="Share of rows kept (0-1].")
    seed: int | None = Field(
        None, description="Accepted for compatibility; engines sample differently."
    )


@transformer(
    "sample",
    SampleParams,
    group="rows",
    example="""
- transformer: sample
  params: {fraction: 0.1}
""",
)
def sample(p: SampleParams, ctx: TransformerContext) -> exp.Expr:
    """A random share of the rows (which rows differs between engines)."""
    from sqlglot import exp

    src = current(ctx, "sample")
    rnd = exp.Rand()
    return select_from(src, [col(c) for c in columns_of(ctx, src)]).where(
        exp.LT(this=rnd, expression=lit(p.fraction))
    )


class ValidateAndFlagParams(Params):
    """Flag rows breaking ``rules`` (name -> SQL condition that must hold) in ``flag_col``."""

    rules: dict[str, str] = Field(
        min_length=1, description="Rule name -> SQL condition valid rows satisfy."
    )
    flag_col: str = Field(
        "_issues", description="Column listing the broken rules (`NULL`: none broken)."
    )


@transformer(
    "validate_and_flag",
    ValidateAndFlagParams,
    group="rows",
    example="""
- transformer: validate_and_flag
  params:
    rules: {positive_amount: "amount > 0", has_email: "email IS NOT NULL"}
""",
)
def validate_and_flag(p: ValidateAndFlagParams, ctx: TransformerContext) -> exp.Expr:
    """Name the rules each row breaks in a column (comma-separated), keeping every row."""
    from sqlglot import exp

    src = current(ctx, "validate_and_flag")
    joined: exp.Expr = lit("")
    for name, condition in p.rules.items():
        ok = parse_expr(condition, f"validate_and_flag.rules.{name}")
        broken = exp.Not(this=exp.Coalesce(this=exp.paren(ok), expressions=[exp.false()]))
        joined = exp.DPipe(
            this=joined,
            expression=exp.Case().when(broken, lit(name + ", ")).else_(lit("")),
            safe=True,
        )
    length = exp.Length(this=joined.copy())
    flag = (
        exp.Case()
        .when(exp.EQ(this=exp.paren(joined.copy()), expression=lit("")), exp.null())
        .else_(
            exp.Substring(this=joined, start=lit(1), length=exp.Sub(this=length, expression=lit(2)))
        )
    )
    return select_from(src, projection(ctx, src, add=[(p.flag_col, flag)]))
