"""Window functions: row numbers, running calculations, sessions."""

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


class RowNumberParams(Params):
    """``output`` = 1, 2, 3... within each ``partition_by`` group in ``order_by`` order."""

    output: str = Field("row_num", description="Result column.")
    partition_by: list[str] | None = Field(None, description="Groups numbered separately.")
    order_by: list[str] | None = Field(None, description='ORDER BY items, e.g. `["ts DESC"]`.')


@transformer(
    "row_number",
    RowNumberParams,
    group="windows",
    example="""
- transformer: row_number
  params: {partition_by: [customer_id], order_by: ["ordered_at DESC"], output: recency}
""",
)
def row_number(p: RowNumberParams, ctx: TransformerContext) -> exp.Expr:
    """Number rows within groups."""
    from sqlglot import exp

    src = current(ctx, "row_number")
    require(ctx, src, p.partition_by or [], "row_number.partition_by")
    order = (
        parse_order(p.order_by, "row_number.order_by")
        if p.order_by
        else [exp.Ordered(this=col(c), nulls_first=False) for c in columns_of(ctx, src)]
    )
    window = exp.Window(
        this=exp.RowNumber(),
        partition_by=[col(c) for c in p.partition_by or []],
        order=exp.Order(expressions=order),
    )
    return select_from(src, projection(ctx, src, add=[(p.output, window)]))


class WindowCalculationParams(Params):
    """``target_col`` = ``function`` (a SQL aggregate or window call) over a window."""

    target_col: str = Field(description="Result column.")
    function: str = Field(
        description="SQL call, e.g. `sum(amount)`, `lag(amount, 1)`, `avg(price)`."
    )
    partition_by: list[str] = Field(default_factory=list, description="Window partitions.")
    order_by: str | None = Field(
        None, description="ORDER BY list; with it, aggregates run cumulatively."
    )


@transformer(
    "window_calculation",
    WindowCalculationParams,
    group="windows",
    example="""
- transformer: window_calculation
  params:
    target_col: running_total
    function: "sum(amount)"
    partition_by: [customer_id]
    order_by: ordered_at
""",
)
def window_calculation(p: WindowCalculationParams, ctx: TransformerContext) -> exp.Expr:
    """A running total, moving average, lag or lead over a window."""
    from sqlglot import exp

    src = current(ctx, "window_calculation")
    require(ctx, src, p.partition_by, "window_calculation.partition_by")
    func = parse_expr(p.function, "window_calculation.function")
    order = (
        exp.Order(expressions=parse_order(p.order_by, "window_calculation.order_by"))
        if p.order_by
        else None
    )
    spec = None
    if order is not None and isinstance(func, exp.AggFunc):  # running: every row up to this one
        spec = exp.WindowSpec(
            kind="ROWS", start="UNBOUNDED", start_side="PRECEDING", end="CURRENT ROW"
        )
    window = exp.Window(
        this=func, partition_by=[col(c) for c in p.partition_by], order=order, spec=spec
    )
    return select_from(src, projection(ctx, src, add=[(p.target_col, window)]))


class SessionizeParams(Params):
    """``session_col`` = `<user>-<n>`: a new session after ``threshold_seconds`` of inactivity."""

    timestamp_col: str = Field(description="Event time.")
    user_col: str = Field(description="Who the events belong to.")
    threshold_seconds: int = Field(1800, ge=1, description="Gap that starts a new session.")
    session_col: str = Field("session_id", description="Result column.")


@transformer(
    "sessionize",
    SessionizeParams,
    group="windows",
    example="""
- transformer: sessionize
  params: {timestamp_col: ts, user_col: user_id, threshold_seconds: 900}
""",
)
def sessionize(p: SessionizeParams, ctx: TransformerContext) -> exp.Expr:
    """Group each user's events into sessions separated by idle gaps."""
    from sqlglot import exp

    src = current(ctx, "sessionize")
    require(ctx, src, [p.timestamp_col, p.user_col], "sessionize")
    ts = exp.Cast(this=col(p.timestamp_col), to=exp.DataType.build("TIMESTAMP"))
    order = exp.Order(expressions=[exp.Ordered(this=col(p.timestamp_col), nulls_first=False)])
    part = [col(p.user_col)]
    prev = exp.Window(this=exp.Lag(this=ts.copy()), partition_by=part, order=order)
    gap = exp.Sub(
        this=exp.TimeToUnix(this=ts.copy()), expression=exp.TimeToUnix(this=col("_odibi_prev"))
    )
    new = (
        exp.Case()
        .when(exp.Is(this=col("_odibi_prev"), expression=exp.null()), lit(1))
        .when(exp.GT(this=gap, expression=lit(p.threshold_seconds)), lit(1))
        .else_(lit(0))
    )
    names = columns_of(ctx, src)
    lagged = select_from(src, [*(col(c) for c in names), alias(prev, "_odibi_prev")])
    flagged = exp.select(*(col(c) for c in names), alias(new, "_odibi_new")).from_(
        lagged.subquery("lagged")
    )
    running = exp.Window(
        this=exp.Sum(this=col("_odibi_new")),
        partition_by=[col(p.user_col)],
        order=order.copy(),
        spec=exp.WindowSpec(
            kind="ROWS", start="UNBOUNDED", start_side="PRECEDING", end="CURRENT ROW"
        ),
    )
    session = exp.DPipe(
        this=exp.DPipe(
            this=exp.Cast(this=col(p.user_col), to=exp.DataType.build("TEXT")),
            expression=lit("-"),
            safe=True,
        ),
        expression=exp.Cast(this=running, to=exp.DataType.build("TEXT")),
        safe=True,
    )
    return exp.select(*(col(c) for c in names), alias(session, p.session_col)).from_(
        flagged.subquery("flagged")
    )
