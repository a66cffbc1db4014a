"""Keys and hashing: hashed columns, surrogate keys (MD5 text or BIGINT)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import Field

from odibi_transformers.registry import Params, transformer
from odibi_transformers.sqlbuild import col, current, lit, projection, require, select_from

if TYPE_CHECKING:
    from odibi_core.plugin import TransformerContext
    from sqlglot import exp


def _text(column: exp.Expr) -> exp.Expr:
    from sqlglot import exp

    return exp.Cast(this=column, to=exp.DataType.build("TEXT"))


def _joined(columns: list[str], separator: str, *, trim: bool = False) -> exp.Expr:
    """The columns as text joined by ``separator``, NULL as empty text."""
    from sqlglot import exp

    joined: exp.Expr | None = None
    for c in columns:
        piece: exp.Expr = _text(col(c))
        if trim:
            piece = exp.Trim(this=piece)
        piece = exp.Coalesce(this=piece, expressions=[lit("")])
        joined = (
            piece
            if joined is None
            else exp.DPipe(
                this=exp.DPipe(this=joined, expression=lit(separator), safe=True),
                expression=piece,
                safe=True,
            )
        )
    assert joined is not None
    return joined


class HashParams(Params):
    """Replace ``columns`` by their hex digest (``sha256`` or ``md5``) of the value as text."""

    columns: list[str] = Field(min_length=1, description="Columns to hash in place.")
    algorithm: Literal["sha256", "md5"] = Field("sha256", description="Digest.")


def _digest(value: exp.Expr, algorithm: str, dialect: str) -> exp.Expr:
    from sqlglot import exp

    if algorithm == "md5":
        return exp.MD5(this=value)
    return exp.SHA2(this=value, length=lit(256))


@transformer(
    "hash_columns",
    HashParams,
    group="keys",
    example="""
- transformer: hash_columns
  params: {columns: [email], algorithm: sha256}
""",
)
def hash_columns(p: HashParams, ctx: TransformerContext) -> exp.Expr:
    """Pseudonymise columns with a SHA-256 (or MD5) hex digest; NULL stays NULL."""
    src = current(ctx, "hash_columns")
    require(ctx, src, p.columns, "hash_columns")
    return select_from(
        src,
        projection(
            ctx,
            src,
            replace={c: _digest(_text(col(c)), p.algorithm, ctx.dialect) for c in p.columns},
        ),
    )


class SurrogateKeyParams(Params):
    """``output_col`` = MD5 of ``columns`` joined by ``separator`` (NULL as empty text)."""

    columns: list[str] = Field(min_length=1, description="Columns that identify a row.")
    separator: str = Field("-", description="Separator between values.")
    output_col: str = Field("surrogate_key", description="Result column.")


@transformer(
    "generate_surrogate_key",
    SurrogateKeyParams,
    group="keys",
    example="""
- transformer: generate_surrogate_key
  params: {columns: [region, product_id], output_col: product_key}
""",
)
def generate_surrogate_key(p: SurrogateKeyParams, ctx: TransformerContext) -> exp.Expr:
    """A deterministic text key (MD5 hex) from several columns."""
    from sqlglot import exp

    src = current(ctx, "generate_surrogate_key")
    require(ctx, src, p.columns, "generate_surrogate_key")
    value = exp.MD5(this=_joined(p.columns, p.separator))
    return select_from(src, projection(ctx, src, add=[(p.output_col, value)]))


class NumericKeyParams(Params):
    """``output_col`` = a BIGINT from the first 15 hex digits of MD5 of ``columns`` joined."""

    columns: list[str] = Field(min_length=1, description="Columns that identify a row.")
    separator: str = Field("|", description="Separator between values.")
    output_col: str = Field("numeric_key", description="Result column.")
    coalesce_with: str | None = Field(
        None, description="Existing column whose non-null values are kept."
    )


@transformer(
    "generate_numeric_key",
    NumericKeyParams,
    group="keys",
    example="""
- transformer: generate_numeric_key
  params: {columns: [store_id, day], output_col: id, coalesce_with: id}
""",
)
def generate_numeric_key(p: NumericKeyParams, ctx: TransformerContext) -> exp.Expr:
    """A deterministic BIGINT key, the same on every engine."""
    import sqlglot
    from sqlglot import exp

    src = current(ctx, "generate_numeric_key")
    require(
        ctx,
        src,
        [*p.columns, *([p.coalesce_with] if p.coalesce_with else [])],
        "generate_numeric_key",
    )
    digest = exp.MD5(this=_joined(p.columns, p.separator, trim=True)).sql(dialect=ctx.dialect)
    if ctx.dialect == "spark":
        text = f"CAST(CONV(SUBSTRING({digest}, 1, 15), 16, 10) AS BIGINT)"
    else:
        text = f"CAST(('0x' || SUBSTRING({digest}, 1, 15)) AS BIGINT)"
    value: exp.Expr = sqlglot.parse_one(text, read=ctx.dialect)
    if p.coalesce_with:
        value = exp.Coalesce(
            this=exp.Cast(this=col(p.coalesce_with), to=exp.DataType.build("BIGINT")),
            expressions=[value],
        )
    return select_from(src, projection(ctx, src, add=[(p.output_col, value)]))
