"""Turn pydantic validation errors into messages naming file, line, key path and a suggestion."""

from __future__ import annotations

import types
import typing
from typing import TYPE_CHECKING, Any, NoReturn, Union

from pydantic import BaseModel, ValidationError

from odibi_core.config.locations import KeyPath, LocationMap
from odibi_core.config.problems import Problem, fail
from odibi_core.config.suggestions import did_you_mean

if TYPE_CHECKING:
    from pydantic_core import ErrorDetails


def validation_problems(
    exc: ValidationError,
    data: Any,
    locations: LocationMap,
    model: type[BaseModel],
    *,
    prefix: KeyPath = (),
) -> list[Problem]:
    """One :class:`Problem` per pydantic error: file, line, key path, message and suggestion."""
    problems: list[Problem] = []
    for error in exc.errors(include_url=False, include_input=False):
        path = _data_path(data, error["loc"])
        full = (*prefix, *path)
        problems.append(Problem(_message(error, model, path, data), locations.find(full), full))
    return list(dict.fromkeys(problems))


def raise_validation_error(
    exc: ValidationError,
    data: Any,
    locations: LocationMap,
    model: type[BaseModel],
    *,
    prefix: KeyPath = (),
) -> NoReturn:
    """Raise a :class:`~odibi_core.errors.ConfigError` listing every problem as ``file:line:
    key.path: message``."""
    fail(validation_problems(exc, data, locations, model, prefix=prefix))


def _data_path(data: Any, loc: tuple[Any, ...]) -> KeyPath:
    """Keep only the parts of a pydantic ``loc`` that address the data (drop union tags)."""
    path: list[Any] = []
    current = data
    parts = [p for p in loc if not _is_tag(p)]
    for part in parts:
        if (isinstance(current, dict) and part in current) or (
            isinstance(current, list) and isinstance(part, int) and part < len(current)
        ):
            path.append(part)
            current = current[part]
        elif (
            isinstance(current, dict)
            and isinstance(part, str)
            and part not in current
            and part == parts[-1]
        ):
            path.append(part)  # a missing or unknown key is still worth naming
    return tuple(path)


def _is_tag(part: Any) -> bool:
    """Tags of Odibi's discriminated unions are written ``<kind>`` so they never look like keys."""
    return isinstance(part, str) and part.startswith("<") and part.endswith(">")


def _value_at(data: Any, path: KeyPath) -> Any:
    for part in path:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _message(error: ErrorDetails, model: type[BaseModel], path: KeyPath, data: Any) -> str:
    kind = error["type"]
    if kind == "extra_forbidden":
        key = path[-1] if path else "?"
        valid = _fields_at(model, path[:-1], _value_at(data, path[:-1]))
        suggestion = did_you_mean(str(key), valid)
        listing = f"; valid keys: {', '.join(sorted(valid))}" if valid and not suggestion else ""
        return f"unknown key {key!r}{suggestion}{listing}"
    if kind == "missing":
        return "required key is missing"
    msg = str(error["msg"])
    return msg.removeprefix("Value error, ")


def _fields_at(model: type[BaseModel], path: KeyPath, value: Any) -> list[str]:
    """Field names of the model found by following ``path`` from ``model``.

    Where a union offers several models, the one sharing most keys with ``value`` (the data at
    ``path``) is taken: a ``function:`` step's typo is compared with a function step's keys.
    """
    current: Any = model
    for part in path:
        current = _step(current, part)
        if current is None:
            return []
    models = _models(current)
    if not models:
        return []
    keys = set(value) if isinstance(value, dict) else set()
    best = max(models, key=lambda m: len(keys & set(m.model_fields)))
    return list(best.model_fields)


def _step(annotation: Any, part: Any) -> Any:
    models = _models(annotation)
    if isinstance(part, str) and models:
        for model in models:
            field = model.model_fields.get(part)
            if field is not None:
                return field.annotation
        return None
    for candidate in _candidates(annotation):
        origin = typing.get_origin(candidate)
        args = typing.get_args(candidate)
        if origin is list and isinstance(part, int):
            return args[0] if args else None
        if origin is dict and isinstance(part, str):
            return args[1] if len(args) == 2 else None
    return None


def _candidates(annotation: Any) -> list[Any]:
    """The alternatives of ``annotation``: union members, ``Annotated`` and ``None`` left out."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _candidates(typing.get_args(annotation)[0])
    if origin is Union or origin is types.UnionType:
        return [
            c for a in typing.get_args(annotation) if a is not type(None) for c in _candidates(a)
        ]
    return [annotation]


def _models(annotation: Any) -> list[type[BaseModel]]:
    return [c for c in _candidates(annotation) if isinstance(c, type) and issubclass(c, BaseModel)]
