"""``- transformer: NAME``: a step that runs a registered transformer with typed ``params``.

Transformers come from plugins through the ``odibi_transformers`` hook (the built-in library is
the ``odibi-transformers`` distribution). The step's ``params`` are checked against the
transformer's params model when the project is validated; see
:mod:`odibi_core.config.transformer_checks`.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class TransformerStep(BaseModel):
    """``- transformer: deduplicate``: a registered transformer with typed ``params``."""

    model_config = ConfigDict(extra="forbid")

    transformer: str = Field(
        description="Registered transformer name (see the transformer reference)."
    )
    params: dict[str, Any] = Field(
        default_factory=dict,
        description="The transformer's parameters, validated by its params model.",
    )
