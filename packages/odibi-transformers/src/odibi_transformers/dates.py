"""Dates and times: parts, arithmetic, truncation, differences, time zones."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import Field

from odibi_transformers.registry import Params, transformer
from odibi_transformers.sqlbuild import col, current, lit, projection, require, select_from

if TYPE_CHECKING:
    from odibi_core.plugin import TransformerContext
    from sqlglot import exp

SECONDS = {"day": 86400, "hour": 3600, "minute": 60, "second": 1}


def _interval(value: int, unit: str) -> exp.Expr:
    from sqlglot import exp

    return exp.Interval(this=exp.Literal.string(str(value)), unit=exp.var(unit.upper()))


DEFAULT_PARTS: tuple[Literal["year", "month", "day", "hour"], ...] = ("year", "month", "day")
"""The parts ``extract_date_parts`` adds when ``parts`` is not given."""


class ExtractDateParams(Params):
    """Add ``<prefix>_<part>`` columns (year, month, day, hour) from ``source_col``."""

    source_col: str = Field(description="Date or timestamp column.")
    prefix: str | None = Field(
        None, description="Prefix of the new columns (default: `source_col`)."
    )
    parts: list[Literal["year", "month", "day", "hour"]] = Field(
        default_factory=lambda: list(DEFAULT_PARTS), description="Parts to extract."
    )


@transformer(
    "extract_date_parts",
    ExtractDateParams,
    group="dates",
    example="""
- transformer: extract_date_parts
  params: {source_col: order_date, parts: [year, month]}
""",
)
def extract_date_parts(p: ExtractDateParams, ctx: TransformerContext) -> exp.Expr:
    """Year, month, day or hour of a date as new integer columns."""
    from sqlglot import exp

    src = current(ctx, "extract_date_parts")
    require(ctx, src, [p.source_col], "extract_date_parts")
    prefix = p.prefix or p.source_col
    added = [
        (
            f"{prefix}_{part}",
            exp.Cast(
                this=exp.Extract(this=exp.var(part.upper()), expression=col(p.source_col)),
                to=exp.DataType.build("INT"),
            ),
        )
        for part in p.parts
    ]
    return select_from(src, projection(ctx, src, add=added))


class DateAddParams(Params):
    """``<col>_future`` = ``col`` plus ``value`` ``unit`` s."""

    col: str = Field(description="Date or timestamp column.")
    value: int = Field(description="Amount to add (negative subtracts).")
    unit: Literal["day", "month", "year", "hour", "minute", "second"] = Field(
        description="Unit of `value`."
    )


@transformer(
    "date_add",
    DateAddParams,
    group="dates",
    example="""
- transformer: date_add
  params: {col: order_date, value: 30, unit: day}
""",
)
def date_add(p: DateAddParams, ctx: TransformerContext) -> exp.Expr:
    """Shift a date by an interval into ``<col>_future``."""
    from sqlglot import exp

    src = current(ctx, "date_add")
    require(ctx, src, [p.col], "date_add")
    shifted = exp.Add(this=col(p.col), expression=_interval(p.value, p.unit))
    return select_from(src, projection(ctx, src, add=[(f"{p.col}_future", shifted)]))


class DateTruncParams(Params):
    """``<col>_trunc`` = ``col`` truncated to ``unit``."""

    col: str = Field(description="Date or timestamp column.")
    unit: Literal["year", "month", "day", "hour", "minute", "second"] = Field(
        description="Precision kept."
    )


@transformer(
    "date_trunc",
    DateTruncParams,
    group="dates",
    example="""
- transformer: date_trunc
  params: {col: created_at, unit: month}
""",
)
def date_trunc(p: DateTruncParams, ctx: TransformerContext) -> exp.Expr:
    """Truncate a timestamp (to the month, day...) into ``<col>_trunc``."""
    from sqlglot import exp

    src = current(ctx, "date_trunc")
    require(ctx, src, [p.col], "date_trunc")
    value = exp.TimestampTrunc(
        this=exp.Cast(this=col(p.col), to=exp.DataType.build("TIMESTAMP")),
        unit=exp.var(p.unit.upper()),
    )
    return select_from(src, projection(ctx, src, add=[(f"{p.col}_trunc", value)]))


class DateDiffParams(Params):
    """``diff_<unit>`` = ``end_col`` minus ``start_col`` in ``unit`` s."""

    start_col: str = Field(description="Start date or timestamp.")
    end_col: str = Field(description="End date or timestamp.")
    unit: Literal["day", "hour", "minute", "second"] = Field(
        "day", description="Unit of the result."
    )


@transformer(
    "date_diff",
    DateDiffParams,
    group="dates",
    example="""
- transformer: date_diff
  params: {start_col: ordered_at, end_col: shipped_at, unit: hour}
""",
)
def date_diff(p: DateDiffParams, ctx: TransformerContext) -> exp.Expr:
    """Time between two columns: whole days, or fractional hours/minutes, or seconds."""
    from sqlglot import exp

    src = current(ctx, "date_diff")
    require(ctx, src, [p.start_col, p.end_col], "date_diff")
    if p.unit == "day":
        value: exp.Expr = exp.DateDiff(
            this=exp.Cast(this=col(p.end_col), to=exp.DataType.build("DATE")),
            expression=exp.Cast(this=col(p.start_col), to=exp.DataType.build("DATE")),
            unit=exp.var("DAY"),
        )
    else:
        seconds = exp.Sub(
            this=exp.TimeToUnix(
                this=exp.Cast(this=col(p.end_col), to=exp.DataType.build("TIMESTAMP"))
            ),
            expression=exp.TimeToUnix(
                this=exp.Cast(this=col(p.start_col), to=exp.DataType.build("TIMESTAMP"))
            ),
        )
        value = (
            exp.Div(this=exp.paren(seconds), expression=lit(float(SECONDS[p.unit])))
            if p.unit != "second"
            else seconds
        )
    return select_from(src, projection(ctx, src, add=[(f"diff_{p.unit}", value)]))


class ConvertTimezoneParams(Params):
    """``output_col`` = ``col`` read in ``source_tz``, shown in ``target_tz``.

    ``output_col`` defaults to ``<col>_converted``.
    """

    col: str = Field(description="Timestamp column (without time zone).")
    source_tz: str = Field("UTC", description="Zone the stored values are in.")
    target_tz: str = Field(description="Zone to express them in, e.g. `America/New_York`.")
    output_col: str | None = Field(None, description="Result column (default `<col>_converted`).")


@transformer(
    "convert_timezone",
    ConvertTimezoneParams,
    group="dates",
    example="""
- transformer: convert_timezone
  params: {col: event_ts, source_tz: UTC, target_tz: Europe/Paris}
""",
)
def convert_timezone(p: ConvertTimezoneParams, ctx: TransformerContext) -> exp.Expr:
    """Re-express a wall-clock timestamp from one time zone in another."""
    import sqlglot

    src = current(ctx, "convert_timezone")
    require(ctx, src, [p.col], "convert_timezone")
    column = col(p.col).sql(dialect=ctx.dialect)
    if ctx.dialect == "spark":
        source, target = lit(p.source_tz).sql(), lit(p.target_tz).sql()
        text = f"FROM_UTC_TIMESTAMP(TO_UTC_TIMESTAMP({column}, {source}), {target})"
    else:
        text = (
            f"CAST(TIMEZONE({lit(p.target_tz).sql()}, TIMEZONE({lit(p.source_tz).sql()}, "
            f"CAST({column} AS TIMESTAMP))) AS TIMESTAMP)"
        )
    value = sqlglot.parse_one(text, read=ctx.dialect)
    return select_from(
        src, projection(ctx, src, add=[(p.output_col or f"{p.col}_converted", value)])
    )
