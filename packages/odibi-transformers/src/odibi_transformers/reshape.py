"""Pivot, unpivot and explode."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import Field

from odibi_transformers.registry import Params, transformer
from odibi_transformers.relational import aggregate_call
from odibi_transformers.sqlbuild import (
    TransformerInputError,
    alias,
    col,
    columns_of,
    current,
    lit,
    require,
    select_from,
)

if TYPE_CHECKING:
    from odibi_core.plugin import TransformerContext
    from sqlglot import exp


class PivotParams(Params):
    """One row per ``group_by``; a column per value of ``pivot_col`` with ``agg_func(agg_col)``."""

    group_by: list[str] = Field(min_length=1, description="Row identity.")
    pivot_col: str = Field(description="Column whose values become columns.")
    agg_col: str = Field(description="Column aggregated into the cells.")
    agg_func: Literal["sum", "count", "avg", "max", "min", "first"] = Field(
        "sum", description="Aggregate."
    )
    values: list[str] = Field(
        min_length=1,
        description="The pivot values to make columns of (in order); "
        "a SQL query cannot have data-dependent columns, so list them.",
    )


@transformer(
    "pivot",
    PivotParams,
    group="reshape",
    example="""
- transformer: pivot
  params:
    {group_by: [store], pivot_col: month, agg_col: sales, agg_func: sum, values: [jan, feb, mar]}
""",
)
def pivot(p: PivotParams, ctx: TransformerContext) -> exp.Expr:
    """Turn values of one column into columns (long to wide)."""
    from sqlglot import exp

    src = current(ctx, "pivot")
    require(ctx, src, [*p.group_by, p.pivot_col, p.agg_col], "pivot")
    cells = []
    for value in p.values:
        when = exp.Case().when(
            exp.EQ(
                this=exp.Cast(this=col(p.pivot_col), to=exp.DataType.build("TEXT")),
                expression=lit(str(value)),
            ),
            col(p.agg_col),
        )
        cells.append(alias(aggregate_call(p.agg_func, when), str(value)))
    return select_from(src, [*(col(g) for g in p.group_by), *cells]).group_by(
        *(col(g) for g in p.group_by)
    )


class UnpivotParams(Params):
    """One row per ``id_cols`` and column of ``value_vars``: (``var_name``, ``value_name``)."""

    id_cols: list[str] = Field(min_length=1, description="Columns kept on every row.")
    value_vars: list[str] = Field(min_length=1, description="Columns turned into rows.")
    var_name: str = Field("variable", description="Column holding the former column name.")
    value_name: str = Field("value", description="Column holding the value.")


@transformer(
    "unpivot",
    UnpivotParams,
    group="reshape",
    example="""
- transformer: unpivot
  params: {id_cols: [store], value_vars: [jan, feb, mar], var_name: month, value_name: sales}
""",
)
def unpivot(p: UnpivotParams, ctx: TransformerContext) -> exp.Expr:
    """Turn columns into rows (wide to long)."""
    from sqlglot import exp

    src = current(ctx, "unpivot")
    require(ctx, src, [*p.id_cols, *p.value_vars], "unpivot")
    parts = [
        select_from(
            src,
            [*(col(c) for c in p.id_cols), alias(lit(v), p.var_name), alias(col(v), p.value_name)],
        )
        for v in p.value_vars
    ]
    query: exp.Expr = parts[0]
    for part in parts[1:]:
        query = exp.union(query, part, distinct=False)
    return query


class ExplodeParams(Params):
    """One row per element of the list column ``column`` (``outer``: keep rows with empty lists)."""

    column: str = Field(description="List (array) column.")
    outer: bool = Field(
        False, description="Keep rows whose list is empty or NULL (with a NULL element)."
    )


@transformer(
    "explode_list_column",
    ExplodeParams,
    group="reshape",
    example="""
- transformer: explode_list_column
  params: {column: tags}
""",
)
def explode_list_column(p: ExplodeParams, ctx: TransformerContext) -> exp.Expr:
    """One row per list element."""
    import sqlglot

    src = current(ctx, "explode_list_column")
    require(ctx, src, [p.column], "explode_list_column")
    others = [c for c in columns_of(ctx, src) if c.lower() != p.column.lower()]
    column = col(p.column).sql(dialect=ctx.dialect)
    kept = ", ".join(col(c).sql(dialect=ctx.dialect) for c in others)
    lead = f"{kept}, " if kept else ""
    source = sqlglot.exp.Table(this=sqlglot.exp.to_identifier(src, quoted=True)).sql(
        dialect=ctx.dialect
    )
    if ctx.dialect == "spark":
        func = "EXPLODE_OUTER" if p.outer else "EXPLODE"
        text = f"SELECT {lead}{func}({column}) AS {column} FROM {source}"
    elif p.outer:
        text = (
            f"SELECT {lead}UNNEST(CASE WHEN {column} IS NULL OR len({column}) = 0 THEN [NULL] "
            f"ELSE {column} END) AS {column} FROM {source}"
        )
    else:
        text = f"SELECT {lead}UNNEST({column}) AS {column} FROM {source}"
    if not text:
        raise TransformerInputError("explode_list_column: nothing to select")
    return sqlglot.parse_one(text, read=ctx.dialect)
