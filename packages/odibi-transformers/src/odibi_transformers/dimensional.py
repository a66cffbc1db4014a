"""Dimension and fact patterns, date-dimension generation and the aggregation pattern.

These are the original Odibi's ``pattern:`` types as transformers. ``dimension`` builds a whole
dimension from its source on each run (surrogate keys numbered by natural key, an optional
unknown member with key 0); ``fact`` swaps natural keys for surrogate keys by looking them up in
upstream dimension nodes; ``date_dimension`` generates a calendar; ``aggregation`` groups.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from odibi_transformers.registry import Params, transformer
from odibi_transformers.sqlbuild import (
    TransformerInputError,
    alias,
    col,
    columns_of,
    current,
    lit,
    numeric_columns,
    parse_expr,
    require,
    select_from,
    table,
    text_columns,
)

if TYPE_CHECKING:
    from odibi_core.plugin import TransformerContext
    from sqlglot import exp

UNKNOWN_KEY = 0
"""Surrogate key of the unknown member (and of facts whose dimension row is missing)."""


class AuditParams(BaseModel):
    """Audit columns added to the output."""

    model_config = ConfigDict(extra="forbid")
    load_timestamp: bool = Field(
        False, description="Add `load_timestamp` (the run's current time)."
    )
    source_system: str | None = Field(None, description="Add `source_system` with this value.")


def _audit(audit: AuditParams | None, default_timestamp: bool) -> list[tuple[str, exp.Expr]]:
    from sqlglot import exp

    stamp = (
        audit.load_timestamp
        if audit is not None and "load_timestamp" in audit.model_fields_set
        else default_timestamp
    )
    out: list[tuple[str, exp.Expr]] = []
    if stamp:
        out.append(("load_timestamp", exp.CurrentTimestamp()))
    if audit is not None and audit.source_system:
        out.append(("source_system", lit(audit.source_system)))
    return out


class DimensionParams(Params):
    """A dimension table with surrogate keys from its source rows."""

    natural_key: str = Field(description="The source's business key.")
    surrogate_key: str = Field(
        description="Name of the generated integer key (1, 2, ... by natural key)."
    )
    scd_type: Literal[0, 1] = Field(
        1,
        description="0 or 1: the dimension is rebuilt from the source each run "
        "(for type 2 history use the `scd2` transformer).",
    )
    track_cols: list[str] | None = Field(
        None, description="Accepted for compatibility (every column is kept)."
    )
    unknown_member: bool = Field(
        False, description="Add a row with key 0 for facts whose dimension row is missing."
    )
    audit: AuditParams | None = Field(
        None, description="Audit columns (`load_timestamp` defaults to true)."
    )
    target: str | None = Field(
        None, description="Accepted for compatibility; the node's write is the target."
    )


@transformer(
    "dimension",
    DimensionParams,
    group="dimensional",
    example="""
- transformer: dimension
  params: {natural_key: customer_id, surrogate_key: customer_sk, unknown_member: true}
""",
)
def dimension(p: DimensionParams, ctx: TransformerContext) -> exp.Expr:
    """A dimension: surrogate keys in natural key order, audit columns, unknown member (key 0)."""
    from sqlglot import exp

    src = current(ctx, "dimension")
    require(ctx, src, [p.natural_key], "dimension.natural_key")
    names = [c for c in columns_of(ctx, src) if c.lower() != p.surrogate_key.lower()]
    order = exp.Order(expressions=[exp.Ordered(this=col(p.natural_key), nulls_first=False)])
    key = exp.Cast(this=exp.Window(this=exp.RowNumber(), order=order), to=exp.DataType.build("INT"))
    audit = _audit(p.audit, default_timestamp=True)
    rows = select_from(
        src,
        [alias(key, p.surrogate_key), *(col(c) for c in names), *(alias(e, n) for n, e in audit)],
    )
    if not p.unknown_member:
        return rows
    texts = {c.lower() for c in text_columns(ctx, src)}
    numbers = {c.lower() for c in numeric_columns(ctx, src)}
    unknown: list[exp.Expr] = [alias(lit(UNKNOWN_KEY), p.surrogate_key)]
    for c in names:
        lowered = c.lower()
        if lowered == p.natural_key.lower():
            value: exp.Expr = lit("-1") if lowered in texts else lit(-1)
        else:
            value = (
                lit("Unknown") if lowered in texts else lit(0) if lowered in numbers else exp.null()
            )
        unknown.append(alias(value, c))
    unknown.extend(alias(e, n) for n, e in audit)
    return exp.union(exp.select(*unknown), rows, distinct=False)


class FactDimension(BaseModel):
    """One dimension lookup of a fact."""

    model_config = ConfigDict(extra="forbid")
    source_column: str = Field(description="Fact column holding the natural key.")
    dimension_table: str = Field(description="Upstream node of the dimension.")
    dimension_key: str = Field(description="Natural key column in the dimension.")
    surrogate_key: str = Field(description="Surrogate key column taken from the dimension.")
    scd2: bool = Field(False, description="Look up only current versions (`is_current`).")


class FactParams(Params):
    """A fact table: natural keys swapped for dimension surrogate keys, orphans mapped to 0."""

    grain: list[str] | None = Field(
        None, description="Columns that identify a fact row (documentation)."
    )
    dimensions: list[FactDimension] = Field(default_factory=list, description="Dimension lookups.")
    orphan_handling: Literal["unknown"] = Field(
        "unknown",
        description="`unknown`: a missing dimension row gives key 0 (reject with a `not_null` "
        "validation on the key instead).",
    )
    measures: list[str | dict[str, str]] = Field(
        default_factory=list,
        description="Column names (kept) or `{name: SQL expression}` (calculated).",
    )
    audit: AuditParams | None = Field(None, description="Audit columns.")
    deduplicate: bool = Field(False, description="Keep one row per `grain`.")

    @field_validator("measures")
    @classmethod
    def _one_key(cls, value: list[Any]) -> list[Any]:
        for m in value:
            if isinstance(m, dict) and len(m) != 1:
                raise ValueError("a calculated measure is one {name: expression} mapping")
        return value


@transformer(
    "fact",
    FactParams,
    group="dimensional",
    example="""
- transformer: fact
  params:
    dimensions:
      - {source_column: customer_id, dimension_table: dim_customer, dimension_key: customer_id,
         surrogate_key: customer_sk}
    measures: [quantity, {revenue: "quantity * price"}]
""",
)
def fact(p: FactParams, ctx: TransformerContext) -> exp.Expr:
    """Look up surrogate keys in dimension nodes; a missing dimension row maps to key 0."""
    from sqlglot import exp

    src = current(ctx, "fact")
    fact_cols = list(columns_of(ctx, src))
    projections: list[exp.Expr] = [col(c, "f") for c in fact_cols]
    query = exp.select().from_(table(src, "f"))
    for i, d in enumerate(p.dimensions):
        if d.dimension_table not in ctx.columns:
            raise TransformerInputError(
                f"fact.dimensions[{i}]: {d.dimension_table!r} is not an input of this node; "
                "list it in depends_on"
            )
        require(ctx, src, [d.source_column], f"fact.dimensions[{i}].source_column")
        require(ctx, d.dimension_table, [d.dimension_key, d.surrogate_key], f"fact.dimensions[{i}]")
        a = f"d{i}"
        dim = exp.select(col(d.dimension_key), col(d.surrogate_key)).from_(table(d.dimension_table))
        if d.scd2 and "is_current" in {c.lower() for c in columns_of(ctx, d.dimension_table)}:
            dim = dim.where(exp.EQ(this=col("is_current"), expression=exp.true()))
        on = exp.EQ(
            this=exp.Cast(this=col(d.source_column, "f"), to=exp.DataType.build("TEXT")),
            expression=exp.Cast(this=col(d.dimension_key, a), to=exp.DataType.build("TEXT")),
        )
        query = query.join(dim.subquery(a), on=on, join_type="LEFT")
        key = alias(
            exp.Coalesce(this=col(d.surrogate_key, a), expressions=[lit(UNKNOWN_KEY)]),
            d.surrogate_key,
        )
        projections = [
            p_ for p_ in projections if p_.alias_or_name.lower() != d.surrogate_key.lower()
        ]
        projections.append(key)
    for m in p.measures:
        if isinstance(m, dict):
            ((name, expression),) = m.items()
            projections = [x for x in projections if x.alias_or_name.lower() != name.lower()]
            projections.append(alias(parse_expr(expression, f"fact.measures.{name}"), name))
    projections.extend(alias(e, n) for n, e in _audit(p.audit, default_timestamp=False))
    result = query.select(*projections)
    if p.deduplicate and p.grain:
        from odibi_transformers.sqlbuild import ident

        window = exp.Window(
            this=exp.RowNumber(),
            partition_by=[col(g) for g in p.grain],
            order=exp.Order(expressions=[exp.Ordered(this=col(p.grain[0]))]),
        )
        names = [x.alias_or_name for x in projections]
        ranked = exp.select(exp.Star(), alias(window, "_odibi_rn")).from_(result.subquery("facts"))
        return (
            exp.select(*(exp.Column(this=ident(n)) for n in names))
            .from_(ranked.subquery("ranked"))
            .where(exp.EQ(this=col("_odibi_rn"), expression=lit(1)))
        )
    return result


class DateDimensionParams(Params):
    """A calendar from ``start_date`` to ``end_date``, one row per day."""

    start_date: dt.date = Field(description="First day (`YYYY-MM-DD`).")
    end_date: dt.date = Field(description="Last day, included.")
    fiscal_year_start_month: int = Field(
        1, ge=1, le=12, description="Month the fiscal year starts (1-12)."
    )
    unknown_member: bool = Field(False, description="Add a row with `date_sk` 0 dated 1900-01-01.")


MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@transformer(
    "date_dimension",
    DateDimensionParams,
    group="dimensional",
    example="""
- transformer: date_dimension
  params: {start_date: "2025-01-01", end_date: "2025-12-31", unknown_member: true}
""",
)
def date_dimension(p: DateDimensionParams, ctx: TransformerContext) -> exp.Expr:
    """Generate a date dimension (keys `YYYYMMDD`, names, weeks, quarters, fiscal years, flags)."""
    import sqlglot

    if p.end_date < p.start_date:
        raise TransformerInputError("date_dimension: end_date is before start_date")
    spark = ctx.dialect == "spark"
    iso_dow = "EXTRACT(DAYOFWEEK_ISO FROM full_date)" if spark else "ISODOW(full_date)"
    iso_week = "WEEKOFYEAR(full_date)" if spark else "WEEK(full_date)"
    month, year, day = "MONTH(full_date)", "YEAR(full_date)", "DAY(full_date)"

    def names(values: tuple[str, ...], number: str) -> str:
        whens = " ".join(f"WHEN {i + 1} THEN '{v}'" for i, v in enumerate(values))
        return f"CASE {number} {whens} END"

    fs = p.fiscal_year_start_month
    fiscal_year = year if fs == 1 else f"CASE WHEN {month} >= {fs} THEN {year} + 1 ELSE {year} END"
    first, last = f"DATE '{p.start_date.isoformat()}'", f"DATE '{p.end_date.isoformat()}'"
    dates = (
        f"SELECT EXPLODE(SEQUENCE({first}, {last}, INTERVAL 1 DAY)) AS full_date"
        if spark
        else f"SELECT UNNEST(GENERATE_SERIES({first}, {last}, INTERVAL 1 DAY))::DATE AS full_date"
    )
    body = f"""
        SELECT CAST({year} * 10000 + {month} * 100 + {day} AS INT) AS date_sk, full_date,
          {names(DAYS, iso_dow)} AS day_of_week, CAST({iso_dow} AS INT) AS day_of_week_num,
          CAST({day} AS INT) AS day_of_month, CAST(DAYOFYEAR(full_date) AS INT) AS day_of_year,
          {iso_dow} IN (6, 7) AS is_weekend, CAST({iso_week} AS INT) AS week_of_year,
          CAST({month} AS INT) AS month,
          {names(MONTHS, month)} AS month_name, CAST(QUARTER(full_date) AS INT) AS quarter,
          'Q' || CAST(QUARTER(full_date) AS STRING) AS quarter_name, CAST({year} AS INT) AS year,
          CAST({fiscal_year} AS INT) AS fiscal_year,
          CAST(FLOOR(((({month} - {fs}) % 12 + 12) % 12) / 3) AS INT) + 1 AS fiscal_quarter,
          {day} = 1 AS is_month_start, full_date = LAST_DAY(full_date) AS is_month_end,
          {month} = 1 AND {day} = 1 AS is_year_start, {month} = 12 AND {day} = 31 AS is_year_end
        FROM ({dates}) AS calendar"""
    if p.unknown_member:
        body = (
            "SELECT 0 AS date_sk, DATE '1900-01-01' AS full_date, 'Unknown' AS day_of_week, "
            "0 AS day_of_week_num, 0 AS day_of_month, 0 AS day_of_year, FALSE AS is_weekend, "
            "0 AS week_of_year, 0 AS month, 'Unknown' AS month_name, 0 AS quarter, "
            "'Unknown' AS quarter_name, 0 AS year, 0 AS fiscal_year, 0 AS fiscal_quarter, "
            "FALSE AS is_month_start, FALSE AS is_month_end, FALSE AS is_year_start, "
            f"FALSE AS is_year_end UNION ALL {body}"
        )
    return sqlglot.parse_one(
        body.replace("STRING", "VARCHAR") if not spark else body, read=ctx.dialect
    )


class AggregationParams(Params):
    """The aggregation pattern: ``grain`` columns, ``measures`` as `{name, expr}` SQL aggregates."""

    grain: list[str] = Field(min_length=1, description="Grouping columns.")
    measures: list[dict[str, str]] = Field(
        min_length=1, description="Items `{name: NAME, expr: 'sum(x)'}`."
    )
    having: str | None = Field(None, description="SQL condition on the groups.")

    @field_validator("measures")
    @classmethod
    def _name_and_expr(cls, value: list[dict[str, str]]) -> list[dict[str, str]]:
        for m in value:
            if set(m) != {"name", "expr"}:
                raise ValueError("each measure is {name: ..., expr: ...}")
        return value


@transformer(
    "aggregation",
    AggregationParams,
    group="dimensional",
    example="""
- transformer: aggregation
  params:
    grain: [region]
    measures: [{name: revenue, expr: "sum(amount)"}, {name: orders, expr: "count(*)"}]
""",
)
def aggregation(p: AggregationParams, ctx: TransformerContext) -> exp.Expr:
    """Aggregate to a grain with named SQL measures."""
    src = current(ctx, "aggregation")
    require(ctx, src, p.grain, "aggregation.grain")
    metrics = [
        alias(parse_expr(m["expr"], f"aggregation.measures.{m['name']}"), m["name"])
        for m in p.measures
    ]
    query = select_from(src, [*(col(g) for g in p.grain), *metrics]).group_by(
        *(col(g) for g in p.grain)
    )
    return query.having(parse_expr(p.having, "aggregation.having")) if p.having else query
