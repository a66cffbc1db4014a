"""How library modules declare transformers: a params base model and a registering decorator."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from odibi_core.plugin import TransformerContext, TransformerSpec
from pydantic import BaseModel, ConfigDict

GROUPS = {
    "columns": "Column operations",
    "rows": "Row filters and deduplication",
    "relational": "Joins, unions and aggregation",
    "dates": "Dates and times",
    "strings": "Strings",
    "windows": "Window functions",
    "keys": "Keys and hashing",
    "reshape": "Pivot, unpivot and explode",
    "history": "SCD2 history",
    "dimensional": "Dimension and fact patterns",
}
"""Reference headings of the groups, in order."""

_DECLARED: list[TransformerSpec] = []
P = TypeVar("P", bound=BaseModel)


class Params(BaseModel):
    """Base of every params model: unknown keys are errors (did-you-mean at validate time)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


def transformer(
    name: str, params: type[P], *, group: str, example: str, target_capability: str | None = None
) -> Callable[[Callable[[P, TransformerContext], Any]], Callable[[P, TransformerContext], Any]]:
    """Declare ``render`` (returning a sqlglot expression) as the transformer ``name``.

    The declared function returns a sqlglot expression; the registered ``render`` turns it into
    SQL text in the engine's dialect.
    """
    if group not in GROUPS:
        raise ValueError(f"unknown group {group!r}")

    def declare(
        build: Callable[[P, TransformerContext], Any],
    ) -> Callable[[P, TransformerContext], Any]:
        def render(p: Any, ctx: TransformerContext) -> str:
            return str(build(p, ctx).sql(dialect=ctx.dialect))

        doc = (build.__doc__ or "").strip().splitlines()
        _DECLARED.append(
            TransformerSpec(
                name,
                params,
                render,
                doc[0] if doc else "",
                group,
                example.strip(),
                target_capability,
            )
        )
        return build

    return declare


def declared() -> list[TransformerSpec]:
    """Every transformer declared by the modules imported so far."""
    return list(_DECLARED)
