"""Joins, unions, aggregation and lookups against other nodes of the pipeline."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import Field

from odibi_transformers.registry import Params, transformer
from odibi_transformers.sqlbuild import (
    TransformerInputError,
    alias,
    col,
    columns_of,
    current,
    lit,
    require,
    select_from,
    table,
)

if TYPE_CHECKING:
    from odibi_core.plugin import TransformerContext
    from sqlglot import exp

AGGREGATES = ("sum", "avg", "min", "max", "count", "first")


def _input(ctx: TransformerContext, name: str, what: str) -> str:
    if name not in ctx.columns or name == ctx.current:
        from odibi_core.config.suggestions import did_you_mean

        raise TransformerInputError(
            f"{what}: {name!r} is not an input of this node{did_you_mean(name, ctx.inputs)}; "
            f"list it in depends_on (inputs: {', '.join(ctx.inputs) or 'none'})"
        )
    return name


class JoinParams(Params):
    """Join the current frame with the upstream node ``right_dataset`` on ``on``."""

    right_dataset: str = Field(description="Upstream node to join (list it in `depends_on`).")
    on: str | list[str] | None = Field(
        None, description="Column(s) present on both sides (not for `cross`)."
    )
    how: Literal["inner", "left", "right", "full", "cross", "anti", "semi"] = Field(
        "left", description="Join kind."
    )
    prefix: str | None = Field(
        None,
        description="Prefix for right-side columns whose names clash (default `<right_dataset>_`).",
    )


@transformer(
    "join",
    JoinParams,
    group="relational",
    example="""
- transformer: join
  params: {right_dataset: customers, on: customer_id, how: left}
""",
)
def join(p: JoinParams, ctx: TransformerContext) -> exp.Expr:
    """Join another node's output; key columns appear once, clashing right columns get a prefix."""
    from sqlglot import exp

    left = current(ctx, "join")
    right = _input(ctx, p.right_dataset, "join.right_dataset")
    keys = [p.on] if isinstance(p.on, str) else list(p.on or [])
    if p.how != "cross" and not keys:
        raise TransformerInputError("join.on: give the key column(s)")
    require(ctx, left, keys, "join.on (left side)")
    require(ctx, right, keys, "join.on (right side)")
    lower_keys = {k.lower() for k in keys}
    left_cols = columns_of(ctx, left)
    taken = {c.lower() for c in left_cols}
    prefix = p.prefix if p.prefix is not None else f"{p.right_dataset}_"
    projections: list[exp.Expr] = []
    for c in left_cols:
        if c.lower() in lower_keys and p.how in ("right", "full"):
            projections.append(alias(exp.Coalesce(this=col(c, "l"), expressions=[col(c, "r")]), c))
        else:
            projections.append(col(c, "l"))
    if p.how not in ("anti", "semi"):
        for c in columns_of(ctx, right):
            if c.lower() in lower_keys:
                continue
            name = prefix + c if c.lower() in taken else c
            projections.append(alias(col(c, "r"), name) if name != c else col(c, "r"))
    query = exp.select(*projections).from_(table(left, "l"))
    condition: exp.Expr | None = None
    for k in keys:
        eq = exp.EQ(this=col(k, "l"), expression=col(k, "r"))
        condition = eq if condition is None else exp.And(this=condition, expression=eq)
    if p.how in ("anti", "semi"):
        inner = exp.select(lit(1)).from_(table(right, "r")).where(condition)
        exists = exp.Exists(this=inner)
        return query.where(exp.Not(this=exists) if p.how == "anti" else exists)
    kind = {"inner": "INNER", "left": "LEFT", "right": "RIGHT", "full": "FULL", "cross": "CROSS"}[
        p.how
    ]
    return query.join(table(right, "r"), on=condition, join_type=kind)


class UnionParams(Params):
    """Stack the current frame with the outputs of ``datasets`` (all rows kept)."""

    datasets: list[str] = Field(
        min_length=1, description="Upstream nodes appended below the current frame."
    )
    by_name: bool = Field(
        True, description="Match columns by name (missing ones become NULL); else by position."
    )


@transformer(
    "union",
    UnionParams,
    group="relational",
    example="""
- transformer: union
  params: {datasets: [orders_2023, orders_2024]}
""",
)
def union(p: UnionParams, ctx: TransformerContext) -> exp.Expr:
    """Append other nodes' rows (UNION ALL), matching columns by name."""
    from sqlglot import exp

    names = ([ctx.current] if ctx.current else []) + [
        _input(ctx, d, "union.datasets") for d in p.datasets
    ]
    all_cols: list[str] = []
    for n in names:
        for c in columns_of(ctx, n):
            if c.lower() not in {a.lower() for a in all_cols}:
                all_cols.append(c)
    parts = []
    for n in names:
        have = {c.lower(): c for c in columns_of(ctx, n)}
        if p.by_name:
            parts.append(
                select_from(
                    n,
                    [
                        col(have[c.lower()]) if c.lower() in have else alias(exp.null(), c)
                        for c in all_cols
                    ],
                )
            )
        else:
            parts.append(select_from(n, [col(c) for c in columns_of(ctx, n)]))
    query: exp.Expr = parts[0]
    for part in parts[1:]:
        query = exp.union(query, part, distinct=False)
    return query


class AggregateParams(Params):
    """Group by ``group_by`` and aggregate.

    ``aggregations`` maps a column to sum/avg/min/max/count/first.
    """

    group_by: list[str] = Field(min_length=1, description="Grouping columns.")
    aggregations: dict[str, Literal["sum", "avg", "min", "max", "count", "first"]] = Field(
        min_length=1, description="Column -> aggregate; the result keeps the column's name."
    )


def aggregate_call(func: str, column: exp.Expr) -> exp.Expr:
    """The aggregate ``func`` over ``column``."""
    from sqlglot import exp

    makers = {
        "sum": exp.Sum,
        "avg": exp.Avg,
        "min": exp.Min,
        "max": exp.Max,
        "count": exp.Count,
        "first": exp.AnyValue,
    }
    return makers[func](this=column)


@transformer(
    "aggregate",
    AggregateParams,
    group="relational",
    example="""
- transformer: aggregate
  params: {group_by: [country], aggregations: {amount: sum, order_id: count}}
""",
)
def aggregate(p: AggregateParams, ctx: TransformerContext) -> exp.Expr:
    """Grouped aggregates, one row per group."""
    src = current(ctx, "aggregate")
    require(ctx, src, [*p.group_by, *p.aggregations], "aggregate")
    metrics = [alias(aggregate_call(f, col(c)), c) for c, f in p.aggregations.items()]
    return select_from(src, [*(col(g) for g in p.group_by), *metrics]).group_by(
        *(col(g) for g in p.group_by)
    )


class ApplyMappingParams(Params):
    """Look ``column`` up in node ``mapping_source`` (its ``source_key`` -> ``source_value``)."""

    column: str = Field(description="Column whose values are looked up.")
    mapping_source: str = Field(description="Upstream node holding the mapping.")
    source_key: str = Field(description="Key column of the mapping.")
    source_value: str = Field(description="Value column of the mapping.")
    output: str | None = Field(None, description="Result column (default: `column`, replaced).")
    default: str | int | float | bool | None = Field(None, description="Value when no key matches.")


@transformer(
    "apply_mapping",
    ApplyMappingParams,
    group="relational",
    example="""
- transformer: apply_mapping
  params:
    column: country_code
    mapping_source: countries
    source_key: code
    source_value: name
    output: country
""",
)
def apply_mapping(p: ApplyMappingParams, ctx: TransformerContext) -> exp.Expr:
    """Map values through a lookup table from another node."""
    from sqlglot import exp

    src = current(ctx, "apply_mapping")
    lookup = _input(ctx, p.mapping_source, "apply_mapping.mapping_source")
    require(ctx, src, [p.column], "apply_mapping")
    require(ctx, lookup, [p.source_key, p.source_value], "apply_mapping")
    value = (
        exp.Coalesce(this=col(p.source_value, "m"), expressions=[lit(p.default)])
        if p.default is not None
        else col(p.source_value, "m")
    )
    dedup = (
        exp.select(
            alias(col(p.source_key), "k"),
            alias(exp.AnyValue(this=col(p.source_value)), p.source_value),
        )
        .from_(table(lookup))
        .group_by(col(p.source_key))
    )
    base = [
        col(c, "s") if c.lower() != (p.output or p.column).lower() else alias(value, c)
        for c in columns_of(ctx, src)
    ]
    if (p.output or p.column).lower() not in {c.lower() for c in columns_of(ctx, src)}:
        base.append(alias(value, p.output or p.column))
    on = exp.EQ(this=col(p.column, "s"), expression=col("k", "m"))
    return (
        exp.select(*base).from_(table(src, "s")).join(dedup.subquery("m"), on=on, join_type="LEFT")
    )
