"""Strings: trimming and case, concatenation, splitting, regular-expression replacement."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import Field

from odibi_transformers.registry import Params, transformer
from odibi_transformers.sqlbuild import (
    col,
    current,
    lit,
    projection,
    require,
    select_from,
    text_columns,
)

if TYPE_CHECKING:
    from odibi_core.plugin import TransformerContext
    from sqlglot import exp


def _text(column: exp.Expr) -> exp.Expr:
    from sqlglot import exp

    return exp.Cast(this=column, to=exp.DataType.build("TEXT"))


class CleanTextParams(Params):
    """Trim and change the case of ``columns`` in place."""

    columns: list[str] = Field(min_length=1, description="Text columns.")
    trim: bool = Field(True, description="Remove leading and trailing spaces.")
    case: Literal["lower", "upper", "preserve"] = Field("preserve", description="Case change.")


@transformer(
    "clean_text",
    CleanTextParams,
    group="strings",
    example="""
- transformer: clean_text
  params: {columns: [email], case: lower}
""",
)
def clean_text(p: CleanTextParams, ctx: TransformerContext) -> exp.Expr:
    """Trim and lower/upper-case text columns."""
    from sqlglot import exp

    src = current(ctx, "clean_text")
    require(ctx, src, p.columns, "clean_text")
    cleaned: dict[str, exp.Expr] = {}
    for c in p.columns:
        value: exp.Expr = col(c)
        if p.trim:
            value = exp.Trim(this=value)
        if p.case == "lower":
            value = exp.Lower(this=value)
        elif p.case == "upper":
            value = exp.Upper(this=value)
        cleaned[c] = value
    return select_from(src, projection(ctx, src, replace=cleaned))


class TrimWhitespaceParams(Params):
    """Trim ``columns`` (default: every text column) in place."""

    columns: list[str] | None = Field(
        None, description="Columns to trim (default: all text columns)."
    )


@transformer(
    "trim_whitespace",
    TrimWhitespaceParams,
    group="strings",
    example="""
- transformer: trim_whitespace
  params: {columns: [name, city]}
""",
)
def trim_whitespace(p: TrimWhitespaceParams, ctx: TransformerContext) -> exp.Expr:
    """Remove leading and trailing spaces."""
    from sqlglot import exp

    src = current(ctx, "trim_whitespace")
    chosen = p.columns if p.columns is not None else text_columns(ctx, src)
    require(ctx, src, chosen, "trim_whitespace")
    return select_from(
        src, projection(ctx, src, replace={c: exp.Trim(this=col(c)) for c in chosen})
    )


class ConcatColumnsParams(Params):
    """``output_col`` = ``columns`` joined by ``separator`` (NULLs skipped)."""

    columns: list[str] = Field(min_length=1, description="Columns joined in order.")
    separator: str = Field("", description="Text between values.")
    output_col: str = Field(description="Result column.")


@transformer(
    "concat_columns",
    ConcatColumnsParams,
    group="strings",
    example="""
- transformer: concat_columns
  params: {columns: [first_name, last_name], separator: " ", output_col: full_name}
""",
)
def concat_columns(p: ConcatColumnsParams, ctx: TransformerContext) -> exp.Expr:
    """Join several columns into one string."""
    from sqlglot import exp

    src = current(ctx, "concat_columns")
    require(ctx, src, p.columns, "concat_columns")
    # CONCAT_WS skips NULLs on every engine; sqlglot's own node would add a NULL guard for DuckDB
    value = exp.Anonymous(
        this="CONCAT_WS", expressions=[lit(p.separator), *(_text(col(c)) for c in p.columns)]
    )
    return select_from(src, projection(ctx, src, add=[(p.output_col, value)]))


class SplitPartParams(Params):
    """``<col>_part_<index>`` = piece ``index`` (1-based) of ``col`` split at ``delimiter``."""

    col: str = Field(description="Text column.")
    delimiter: str = Field(description="Separator (plain text, not a pattern).")
    index: int = Field(ge=1, description="1-based piece number.")


@transformer(
    "split_part",
    SplitPartParams,
    group="strings",
    example="""
- transformer: split_part
  params: {col: email, delimiter: "@", index: 2}
""",
)
def split_part(p: SplitPartParams, ctx: TransformerContext) -> exp.Expr:
    """One piece of a delimited string."""
    from sqlglot import exp

    src = current(ctx, "split_part")
    require(ctx, src, [p.col], "split_part")
    value = exp.SplitPart(
        this=_text(col(p.col)), delimiter=lit(p.delimiter), part_index=lit(p.index)
    )
    return select_from(src, projection(ctx, src, add=[(f"{p.col}_part_{p.index}", value)]))


class RegexReplaceParams(Params):
    """Replace every match of ``pattern`` in ``column`` by ``replacement`` (in place)."""

    column: str = Field(description="Text column.")
    pattern: str = Field(description="Regular expression (RE2 syntax on DuckDB, Java on Spark).")
    replacement: str = Field(description="Replacement text.")


@transformer(
    "regex_replace",
    RegexReplaceParams,
    group="strings",
    example="""
- transformer: regex_replace
  params: {column: phone, pattern: "[^0-9]", replacement: ""}
""",
)
def regex_replace(p: RegexReplaceParams, ctx: TransformerContext) -> exp.Expr:
    """Regular-expression replacement of every match."""
    from sqlglot import exp

    src = current(ctx, "regex_replace")
    require(ctx, src, [p.column], "regex_replace")
    value = exp.RegexpReplace(
        this=col(p.column),
        expression=lit(p.pattern),
        replacement=lit(p.replacement),
        modifiers=lit("g") if ctx.dialect != "spark" else None,
    )
    return select_from(src, projection(ctx, src, replace={p.column: value}))
