"""Column operations: select, drop, rename, cast, derive, fill, map and normalize columns."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field

from odibi_transformers.registry import Params, transformer
from odibi_transformers.sqlbuild import (
    TransformerInputError,
    alias,
    col,
    columns_of,
    current,
    lit,
    parse_expr,
    projection,
    require,
    select_from,
)

if TYPE_CHECKING:
    from odibi_core.plugin import TransformerContext
    from sqlglot import exp

TYPE_ALIASES = {
    "int": "INT",
    "integer": "INT",
    "bigint": "BIGINT",
    "long": "BIGINT",
    "str": "STRING",
    "string": "STRING",
    "float": "DOUBLE",
    "double": "DOUBLE",
    "bool": "BOOLEAN",
    "boolean": "BOOLEAN",
    "date": "DATE",
    "timestamp": "TIMESTAMP",
}
"""Short type names accepted by ``cast_columns`` (others are parsed as SQL types)."""


class SelectColumnsParams(Params):
    """Keep only ``columns``, in this order."""

    columns: list[str] = Field(min_length=1, description="Columns to keep, in output order.")


@transformer(
    "select_columns",
    SelectColumnsParams,
    group="columns",
    example="""
- transformer: select_columns
  params: {columns: [id, name, amount]}
""",
)
def select_columns(p: SelectColumnsParams, ctx: TransformerContext) -> exp.Expr:
    """Keep only the listed columns, in that order."""
    src = current(ctx, "select_columns")
    require(ctx, src, p.columns, "select_columns")
    return select_from(src, [col(c) for c in p.columns])


class DropColumnsParams(Params):
    """Remove ``columns``."""

    columns: list[str] = Field(min_length=1, description="Columns to remove.")


@transformer(
    "drop_columns",
    DropColumnsParams,
    group="columns",
    example="""
- transformer: drop_columns
  params: {columns: [_loaded_at]}
""",
)
def drop_columns(p: DropColumnsParams, ctx: TransformerContext) -> exp.Expr:
    """Remove the listed columns."""
    src = current(ctx, "drop_columns")
    require(ctx, src, p.columns, "drop_columns")
    return select_from(src, projection(ctx, src, drop=p.columns))


class RenameColumnsParams(Params):
    """Rename columns: ``mapping`` of old name to new name."""

    mapping: dict[str, str] = Field(min_length=1, description="Old name -> new name.")


def _renamed(ctx: TransformerContext, src: str, names: dict[str, str]) -> list[exp.Expr]:
    lowered = {k.lower(): v for k, v in names.items()}
    return [
        alias(col(c), lowered[c.lower()]) if c.lower() in lowered else col(c)
        for c in columns_of(ctx, src)
    ]


@transformer(
    "rename_columns",
    RenameColumnsParams,
    group="columns",
    example="""
- transformer: rename_columns
  params: {mapping: {cust_id: customer_id}}
""",
)
def rename_columns(p: RenameColumnsParams, ctx: TransformerContext) -> exp.Expr:
    """Rename columns; the others keep their names and places."""
    src = current(ctx, "rename_columns")
    require(ctx, src, p.mapping, "rename_columns")
    return select_from(src, _renamed(ctx, src, p.mapping))


class AffixParams(Params):
    """Add ``prefix`` (or ``suffix``) to ``columns`` (default: all), except ``exclude``."""

    columns: list[str] | None = Field(
        None, description="Columns to rename (default: every column)."
    )
    exclude: list[str] | None = Field(None, description="Columns left as they are.")


class AddPrefixParams(AffixParams):
    """``add_prefix`` params."""

    prefix: str = Field(description="Text put before each name.")


class AddSuffixParams(AffixParams):
    """``add_suffix`` params."""

    suffix: str = Field(description="Text put after each name.")


def _affixed(p: AffixParams, ctx: TransformerContext, what: str, make: Any) -> exp.Expr:
    src = current(ctx, what)
    chosen = p.columns if p.columns is not None else list(columns_of(ctx, src))
    require(ctx, src, chosen, what)
    skip = {c.lower() for c in p.exclude or []}
    return select_from(
        src, _renamed(ctx, src, {c: make(c) for c in chosen if c.lower() not in skip})
    )


@transformer(
    "add_prefix",
    AddPrefixParams,
    group="columns",
    example="""
- transformer: add_prefix
  params: {prefix: src_, exclude: [id]}
""",
)
def add_prefix(p: AddPrefixParams, ctx: TransformerContext) -> exp.Expr:
    """Prefix column names."""
    return _affixed(p, ctx, "add_prefix", lambda c: p.prefix + c)


@transformer(
    "add_suffix",
    AddSuffixParams,
    group="columns",
    example="""
- transformer: add_suffix
  params: {suffix: _raw, columns: [amount]}
""",
)
def add_suffix(p: AddSuffixParams, ctx: TransformerContext) -> exp.Expr:
    """Suffix column names."""
    return _affixed(p, ctx, "add_suffix", lambda c: c + p.suffix)


class NormalizeColumnNamesParams(Params):
    """Rewrite every column name: lower case, snake_case, special characters removed."""

    style: Literal["snake_case", "none"] = Field(
        "snake_case", description="`snake_case` splits camelCase and spaces."
    )
    lowercase: bool = Field(True, description="Lower-case the names.")
    remove_special: bool = Field(
        True, description="Drop characters other than letters, digits and `_`."
    )


def normalized_name(name: str, p: NormalizeColumnNamesParams) -> str:
    """The name ``normalize_column_names`` gives to ``name`` (same rules as the original Odibi)."""
    new = name.lower() if p.lowercase else name
    if p.style == "snake_case":
        new = re.sub(r"[\s\-\.]+", "_", new)
        new = re.sub(r"([a-z])([A-Z])", r"\1_\2", new).lower()
    if p.remove_special:
        new = re.sub(r"_+", "_", re.sub(r"[^a-zA-Z0-9_]", "", new)).strip("_")
    return new


@transformer(
    "normalize_column_names",
    NormalizeColumnNamesParams,
    group="columns",
    example="""
- transformer: normalize_column_names
  params: {style: snake_case}
""",
)
def normalize_column_names(p: NormalizeColumnNamesParams, ctx: TransformerContext) -> exp.Expr:
    """Make every column name a tidy snake_case identifier."""
    src = current(ctx, "normalize_column_names")
    return select_from(
        src,
        _renamed(
            ctx,
            src,
            {c: normalized_name(c, p) for c in columns_of(ctx, src) if normalized_name(c, p) != c},
        ),
    )


class CastColumnsParams(Params):
    """Cast columns: ``casts`` maps a column to a type.

    Types: `int`, `string`, `double`, `date`, ... or any SQL type.
    """

    casts: dict[str, str] = Field(min_length=1, description="Column -> type.")


def sql_type(name: str) -> exp.DataType:
    """A data type from a short alias or a SQL type name."""
    from sqlglot import exp

    text = TYPE_ALIASES.get(name.strip().lower(), name)
    try:
        return exp.DataType.build(text, dialect="duckdb")
    except Exception:
        raise TransformerInputError(f"unknown type {name!r}") from None


@transformer(
    "cast_columns",
    CastColumnsParams,
    group="columns",
    example="""
- transformer: cast_columns
  params: {casts: {amount: double, order_date: date}}
""",
)
def cast_columns(p: CastColumnsParams, ctx: TransformerContext) -> exp.Expr:
    """Change column types, keeping the other columns."""
    from sqlglot import exp

    src = current(ctx, "cast_columns")
    require(ctx, src, p.casts, "cast_columns")
    casts = {c: exp.Cast(this=col(c), to=sql_type(t)) for c, t in p.casts.items()}
    return select_from(src, projection(ctx, src, replace=casts))


class DeriveColumnsParams(Params):
    """New or replaced columns: ``derivations`` maps a name to a SQL expression."""

    derivations: dict[str, str] = Field(
        min_length=1, description="Column -> SQL expression over the frame."
    )


@transformer(
    "derive_columns",
    DeriveColumnsParams,
    group="columns",
    example="""
- transformer: derive_columns
  params:
    derivations: {total: "price * quantity", name_upper: "upper(name)"}
""",
)
def derive_columns(p: DeriveColumnsParams, ctx: TransformerContext) -> exp.Expr:
    """Add (or replace) columns computed by SQL expressions."""
    src = current(ctx, "derive_columns")
    added = [(n, parse_expr(e, f"derive_columns.{n}")) for n, e in p.derivations.items()]
    return select_from(src, projection(ctx, src, add=added))


class CoalesceColumnsParams(Params):
    """``output_col`` = the first non-null of ``columns``."""

    columns: list[str] = Field(min_length=1, description="Columns tried in order.")
    output_col: str = Field(description="Name of the result column.")
    drop_source: bool = Field(False, description="Remove the source columns.")


@transformer(
    "coalesce_columns",
    CoalesceColumnsParams,
    group="columns",
    example="""
- transformer: coalesce_columns
  params: {columns: [mobile, phone], output_col: contact}
""",
)
def coalesce_columns(p: CoalesceColumnsParams, ctx: TransformerContext) -> exp.Expr:
    """The first non-null value of several columns."""
    from sqlglot import exp

    src = current(ctx, "coalesce_columns")
    require(ctx, src, p.columns, "coalesce_columns")
    value = exp.Coalesce(this=col(p.columns[0]), expressions=[col(c) for c in p.columns[1:]])
    drop = [c for c in p.columns if c.lower() != p.output_col.lower()] if p.drop_source else []
    return select_from(src, projection(ctx, src, add=[(p.output_col, value)], drop=drop))


class FillNullsParams(Params):
    """Replace NULLs: ``values`` maps a column to its fill value."""

    values: dict[str, str | int | float | bool] = Field(
        min_length=1, description="Column -> value for NULLs."
    )


@transformer(
    "fill_nulls",
    FillNullsParams,
    group="columns",
    example="""
- transformer: fill_nulls
  params: {values: {country: unknown, discount: 0}}
""",
)
def fill_nulls(p: FillNullsParams, ctx: TransformerContext) -> exp.Expr:
    """Replace NULLs with fixed values."""
    from sqlglot import exp

    src = current(ctx, "fill_nulls")
    require(ctx, src, p.values, "fill_nulls")
    filled = {c: exp.Coalesce(this=col(c), expressions=[lit(v)]) for c, v in p.values.items()}
    return select_from(src, projection(ctx, src, replace=filled))


class ReplaceValuesParams(Params):
    """In ``columns``, replace values: ``mapping`` of old value to new value (`null` allowed)."""

    columns: list[str] = Field(min_length=1, description="Columns to rewrite.")
    mapping: dict[str, str | None] = Field(min_length=1, description="Old value -> new value.")


def _mapped(column: exp.Expr, mapping: dict[str, Any], default: exp.Expr) -> exp.Expr:
    from sqlglot import exp

    case = exp.Case()
    for old, new in mapping.items():
        case = case.when(
            exp.EQ(
                this=exp.Cast(this=column.copy(), to=exp.DataType.build("text")),
                expression=lit(old),
            ),
            lit(new),
        )
    return case.else_(default)


@transformer(
    "replace_values",
    ReplaceValuesParams,
    group="columns",
    example="""
- transformer: replace_values
  params: {columns: [status], mapping: {"N/A": null, "Y": "yes"}}
""",
)
def replace_values(p: ReplaceValuesParams, ctx: TransformerContext) -> exp.Expr:
    """Replace listed values in some columns (others unchanged)."""
    src = current(ctx, "replace_values")
    require(ctx, src, p.columns, "replace_values")
    mapped = {c: _mapped(col(c), p.mapping, col(c)) for c in p.columns}
    return select_from(src, projection(ctx, src, replace=mapped))


class DictMappingParams(Params):
    """Map ``column`` through ``mapping`` into ``output_column`` (default: in place)."""

    column: str = Field(description="Column whose values are looked up.")
    mapping: dict[str, str | int | float | bool | None] = Field(
        min_length=1, description="Value -> mapped value."
    )
    default: str | int | float | bool | None = Field(None, description="Value for unmapped values.")
    output_column: str | None = Field(None, description="Result column (default: `column`).")


@transformer(
    "dict_based_mapping",
    DictMappingParams,
    group="columns",
    example="""
- transformer: dict_based_mapping
  params: {column: code, mapping: {"1": one, "2": two}, default: other, output_column: label}
""",
)
def dict_based_mapping(p: DictMappingParams, ctx: TransformerContext) -> exp.Expr:
    """Look values up in a fixed mapping; unmapped values get ``default``."""
    src = current(ctx, "dict_based_mapping")
    require(ctx, src, [p.column], "dict_based_mapping")
    value = _mapped(col(p.column), p.mapping, lit(p.default))
    return select_from(src, projection(ctx, src, add=[(p.output_column or p.column, value)]))


class CaseWhenCase(Params):
    """One branch: ``condition`` (SQL) gives ``value`` (a SQL expression)."""

    condition: str = Field(description="SQL condition.")
    value: str = Field(description="SQL expression (quote strings: `\"'gold'\"`).")


class CaseWhenParams(Params):
    """``output_col`` = the ``then`` of the first matching case, else ``default``.

    Conditions, ``then`` and ``default`` are SQL expressions.
    """

    cases: list[CaseWhenCase] = Field(min_length=1, description="Branches tried in order.")
    default: str = Field("NULL", description="SQL expression when no case matches.")
    output_col: str = Field(description="Result column.")


@transformer(
    "case_when",
    CaseWhenParams,
    group="columns",
    example="""
- transformer: case_when
  params:
    output_col: tier
    cases:
      - {condition: "amount >= 1000", value: "'gold'"}
      - {condition: "amount >= 100", value: "'silver'"}
    default: "'bronze'"
""",
)
def case_when(p: CaseWhenParams, ctx: TransformerContext) -> exp.Expr:
    """A column from conditional SQL branches."""
    from sqlglot import exp

    src = current(ctx, "case_when")
    case = exp.Case()
    for i, branch in enumerate(p.cases):
        case = case.when(
            parse_expr(branch.condition, f"case_when.cases[{i}].condition"),
            parse_expr(branch.value, f"case_when.cases[{i}].value"),
        )
    case = case.else_(parse_expr(p.default, "case_when.default"))
    return select_from(src, projection(ctx, src, add=[(p.output_col, case)]))


class NormalizeSchemaParams(Params):
    """Rename, drop and order columns in one step."""

    rename: dict[str, str] | None = Field(None, description="Old name -> new name.")
    drop: list[str] | None = Field(None, description="Columns to remove.")
    select_order: list[str] | None = Field(
        None, description="Output columns in order (after renaming)."
    )


@transformer(
    "normalize_schema",
    NormalizeSchemaParams,
    group="columns",
    example="""
- transformer: normalize_schema
  params: {rename: {cust: customer_id}, drop: [tmp], select_order: [customer_id, name]}
""",
)
def normalize_schema(p: NormalizeSchemaParams, ctx: TransformerContext) -> exp.Expr:
    """Rename, drop and order columns at once."""
    src = current(ctx, "normalize_schema")
    rename = {k.lower(): v for k, v in (p.rename or {}).items()}
    dropped = {d.lower() for d in p.drop or []}
    out: dict[str, exp.Expr] = {}
    for c in columns_of(ctx, src):
        if c.lower() in dropped:
            continue
        new = rename.get(c.lower(), c)
        out[new.lower()] = alias(col(c), new) if new != c else col(c)
    if p.select_order:
        missing = [c for c in p.select_order if c.lower() not in out]
        if missing:
            raise TransformerInputError(f"normalize_schema.select_order: no column {missing[0]!r}")
        return select_from(src, [out[c.lower()] for c in p.select_order])
    return select_from(src, list(out.values()))
