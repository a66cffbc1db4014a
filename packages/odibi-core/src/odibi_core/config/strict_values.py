"""Number fields that mean a number: ``true`` is not 1, and NaN or infinity is no bound.

pydantic's lax mode turns ``retry.max_attempts: true`` into 1 and accepts ``.inf`` for a float;
both hide a mistake. Strict mode would also refuse ``"4"``, which is what an ``${env:WORKERS}``
reference resolves to, so instead every config model checks its number fields before validation.
"""

from __future__ import annotations

import math
import types
import typing
from typing import Any, Union

from pydantic import BaseModel, ConfigDict, ValidationInfo, field_validator


def _is_number(annotation: Any) -> bool:
    """Whether ``annotation`` is ``int`` or ``float`` (optionally in a union with ``None``)."""
    if annotation in (int, float):
        return True
    if typing.get_origin(annotation) in (Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return bool(args) and all(a in (int, float) for a in args)
    return False


def check_number(value: Any) -> Any:
    """``value`` unchanged, or a ``ValueError`` if it is a boolean or not a finite number."""
    if isinstance(value, bool):
        raise ValueError(f"must be a number, not {str(value).lower()}")
    candidate = value
    if isinstance(value, str):
        try:
            candidate = float(value)
        except ValueError:
            return value  # pydantic reports the text as not a number
    if isinstance(candidate, float) and not math.isfinite(candidate):
        raise ValueError("must be a finite number")
    return value


class StrictNumbers(BaseModel):
    """Base of config models: every ``int``/``float`` field refuses booleans, NaN and infinity."""

    model_config = ConfigDict(defer_build=True)

    @field_validator("*", mode="before")
    @classmethod
    def _numbers_are_numbers(cls, value: Any, info: ValidationInfo) -> Any:
        field = cls.model_fields.get(info.field_name or "")
        if field is not None and value is not None and _is_number(field.annotation):
            return check_number(value)
        return value
