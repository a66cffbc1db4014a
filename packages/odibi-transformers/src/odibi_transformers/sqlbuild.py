"""Small helpers over sqlglot: quoted identifiers, parsed user expressions, explicit projections.

Everything a transformer emits is a sqlglot tree: names go through :func:`col` (always quoted),
values through :func:`lit`, and expressions a user wrote in YAML through :func:`parse_expr`, which
parses them (DuckDB syntax, the default engine's) so a stray quote cannot change the query's shape.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from odibi_core.errors import ExitCode, OdibiError

if TYPE_CHECKING:
    from odibi_core.plugin import TransformerContext
    from sqlglot import exp

READ_DIALECT = "duckdb"
"""Dialect in which expressions written in YAML (conditions, derivations) are parsed."""


class TransformerInputError(OdibiError):
    """A transformer's params do not fit the data (a missing column, no current frame...).

    The node runner reports it as the failure of the node whose step raised it.
    """

    exit_code = ExitCode.RUN_FAILED


def ident(name: str) -> exp.Identifier:
    """A quoted identifier."""
    from sqlglot import exp

    return exp.to_identifier(name, quoted=True)


def col(name: str, table: str | None = None) -> exp.Column:
    """A quoted column reference, optionally qualified by a (quoted) table alias."""
    from sqlglot import exp

    return exp.Column(this=ident(name), table=ident(table) if table else None)


def table(name: str, alias: str | None = None) -> exp.Table:
    """A quoted table reference."""
    from sqlglot import exp

    node = exp.Table(this=ident(name))
    return node.as_(ident(alias)) if alias else node  # type: ignore[return-value]


def lit(value: Any) -> exp.Expr:
    """A SQL literal for a Python value (``None`` becomes ``NULL``)."""
    from sqlglot import exp

    if value is None:
        return exp.null()
    if isinstance(value, bool):
        return exp.true() if value else exp.false()
    if isinstance(value, (int, float)):
        return exp.Literal.number(value)
    return exp.Literal.string(str(value))


def alias(expression: exp.Expr, name: str) -> exp.Alias:
    """``expression AS "name"``."""
    from sqlglot import exp

    return exp.Alias(this=expression, alias=ident(name))


def parse_expr(text: str, what: str) -> exp.Expr:
    """Parse a SQL expression written in YAML; a syntax error names ``what``."""
    import sqlglot
    from sqlglot.errors import ParseError

    try:
        return sqlglot.parse_one(text, read=READ_DIALECT)
    except ParseError as exc:
        raise TransformerInputError(
            f"{what}: not a SQL expression: {text!r} ({exc.errors[0]['description']})"
        ) from None


def parse_order(text: str | Sequence[str], what: str) -> list[exp.Ordered]:
    """``"a DESC, b"`` (or a list of such) as ORDER BY items."""
    import sqlglot
    from sqlglot import exp
    from sqlglot.errors import ParseError

    parts = [text] if isinstance(text, str) else list(text)
    items: list[exp.Ordered] = []
    for part in parts:
        try:
            tree = sqlglot.parse_one(f"SELECT 1 ORDER BY {part}", read=READ_DIALECT)
        except ParseError:
            raise TransformerInputError(f"{what}: not an ORDER BY list: {part!r}") from None
        order = tree.args.get("order")
        assert isinstance(order, exp.Order)
        items.extend(order.expressions)
    return [_quoted_order(o) for o in items]


def _quoted_order(item: exp.Ordered) -> exp.Ordered:
    from sqlglot import exp

    inner = item.this
    if isinstance(inner, exp.Column) and not inner.table:
        item = item.copy()
        item.set("this", col(inner.name))
    if not item.args.get("nulls_first"):  # NULLs last either way, as DuckDB (and pandas) order
        item.set("nulls_first", False)
    return item


def current(ctx: TransformerContext, what: str) -> str:
    """The current frame's table name, or an error saying the step needs one."""
    if ctx.current is None:
        raise TransformerInputError(
            f"{what} works on the node's current frame; the node has none "
            "(read: something or depend on one node)"
        )
    return ctx.current


def columns_of(ctx: TransformerContext, name: str) -> tuple[str, ...]:
    """Column names of the table ``name``."""
    return tuple(ctx.columns.get(name, ()))


TEXT_TYPES = ("varchar", "string", "text", "large_string", "utf8", "object")


def text_columns(ctx: TransformerContext, name: str) -> list[str]:
    """Columns of ``name`` whose engine type is text."""
    names, types = ctx.columns.get(name, ()), ctx.column_types.get(name, ())
    return [c for c, t in zip(names, types, strict=False) if t.lower().split("(")[0] in TEXT_TYPES]


NUMERIC_TYPES = (
    "tinyint",
    "smallint",
    "integer",
    "int",
    "bigint",
    "hugeint",
    "double",
    "float",
    "real",
    "decimal",
    "int8",
    "int16",
    "int32",
    "int64",
    "uint8",
    "uint16",
    "uint32",
    "uint64",
    "float64",
    "float32",
    "long",
    "short",
    "byte",
    "ubigint",
    "uinteger",
    "usmallint",
    "utinyint",
)


def numeric_columns(ctx: TransformerContext, name: str) -> list[str]:
    """Columns of ``name`` whose engine type is a number."""
    names, types = ctx.columns.get(name, ()), ctx.column_types.get(name, ())
    return [
        c
        for c, t in zip(names, types, strict=False)
        if t.lower().split("(")[0].strip() in NUMERIC_TYPES
    ]


def require(ctx: TransformerContext, table_name: str, names: Iterable[str], what: str) -> None:
    """Fail with a clear message when a named column is missing from ``table_name``."""
    from odibi_core.config.suggestions import did_you_mean

    have = columns_of(ctx, table_name)
    lowered = {c.lower() for c in have}
    for name in names:
        if name.lower() not in lowered:
            raise TransformerInputError(
                f"{what}: no column {name!r}{did_you_mean(name, have)}; columns: {', '.join(have)}"
            )


def projection(
    ctx: TransformerContext,
    source: str,
    *,
    replace: Mapping[str, exp.Expr] | None = None,
    add: Sequence[tuple[str, exp.Expr]] = (),
    drop: Iterable[str] = (),
) -> list[exp.Expr]:
    """The columns of ``source`` in order, some replaced in place, some dropped, new ones appended.

    Adding a column that already exists replaces it in place (as assigning a column would).
    """
    replace = {k.lower(): v for k, v in (replace or {}).items()}
    dropped = {d.lower() for d in drop}
    added = {name.lower(): (name, e) for name, e in add}
    out: list[exp.Expr] = []
    for name in columns_of(ctx, source):
        key = name.lower()
        if key in dropped:
            continue
        if key in added:
            out.append(alias(added.pop(key)[1], name))
        elif key in replace:
            out.append(alias(replace[key], name))
        else:
            out.append(col(name))
    out.extend(alias(e, name) for name, e in added.values())
    return out


def select_from(source: str, projections: Sequence[exp.Expr]) -> exp.Select:
    """``SELECT projections FROM "source"``."""
    from sqlglot import exp

    return exp.select(*projections).from_(table(source))
