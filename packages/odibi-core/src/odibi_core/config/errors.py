"""Turn pydantic validation errors into messages naming file, line, key path and a suggestion."""

from __future__ import annotations

import types
import typing
from typing import Any, NoReturn, Union

from pydantic import BaseModel, ValidationError

from odibi_core.config.locations import KeyPath, LocationMap, format_path
from odibi_core.config.suggestions import did_you_mean
from odibi_core.errors import ConfigError

MAX_REPORTED = 10


def raise_validation_error(
    exc: ValidationError, data: Any, locations: LocationMap, model: type[BaseModel],
    *, prefix: KeyPath = (),
) -> NoReturn:
    """Raise a :class:`ConfigError` listing each problem as ``file:line: key.path: message``."""
    lines: list[str] = []
    seen: set[str] = set()
    for error in exc.errors(include_url=False, include_input=False):
        path = _data_path(data, error["loc"])
        full = (*prefix, *path)
        where = locations.find(full)
        message = _message(error, model, path)
        line = f"{where}: {format_path(full)}: {message}" if where else f"{format_path(full)}: {message}"
        if line not in seen:
            seen.add(line)
            lines.append(line)
    shown = lines[:MAX_REPORTED]
    more = f"\n  ... and {len(lines) - MAX_REPORTED} more" if len(lines) > MAX_REPORTED else ""
    text = shown[0] if len(shown) == 1 and not more else "invalid project:\n  " + "\n  ".join(shown) + more
    raise ConfigError(text) from None


def _data_path(data: Any, loc: tuple[Any, ...]) -> KeyPath:
    """Keep only the parts of a pydantic ``loc`` that address the data (drop union tags)."""
    path: list[Any] = []
    current = data
    for part in loc:
        if isinstance(current, dict) and part in current:
            path.append(part)
            current = current[part]
        elif isinstance(current, list) and isinstance(part, int) and part < len(current):
            path.append(part)
            current = current[part]
        elif isinstance(current, dict) and isinstance(part, str) and part not in current and part == loc[-1]:
            path.append(part)  # a missing or unknown key is still worth naming
    return tuple(path)


def _message(error: dict[str, Any], model: type[BaseModel], path: KeyPath) -> str:
    kind = error["type"]
    if kind == "extra_forbidden":
        key = path[-1] if path else "?"
        valid = _fields_at(model, path[:-1])
        return f"unknown key {key!r}{did_you_mean(str(key), valid)}" + (
            f"; valid keys: {', '.join(sorted(valid))}" if valid and not did_you_mean(str(key), valid) else ""
        )
    if kind == "missing":
        return "required key is missing"
    msg = str(error["msg"])
    return msg.removeprefix("Value error, ")


def _fields_at(model: type[BaseModel], path: KeyPath) -> list[str]:
    """Field names of the model found by following ``path`` from ``model``."""
    current: Any = model
    for part in path:
        current = _step(current, part)
        if current is None:
            return []
    current = _unwrap_model(current)
    return list(current.model_fields) if current is not None else []


def _step(annotation: Any, part: Any) -> Any:
    model = _unwrap_model(annotation)
    if isinstance(part, str) and model is not None:
        field = model.model_fields.get(part)
        return field.annotation if field else None
    for candidate in _candidates(annotation):
        origin = typing.get_origin(candidate)
        args = typing.get_args(candidate)
        if origin is list and isinstance(part, int):
            return args[0] if args else None
        if origin is dict and isinstance(part, str):
            return args[1] if len(args) == 2 else None
    return None


def _candidates(annotation: Any) -> list[Any]:
    origin = typing.get_origin(annotation)
    if origin is Union or origin is types.UnionType:
        return [a for a in typing.get_args(annotation) if a is not type(None)]
    return [annotation]


def _unwrap_model(annotation: Any) -> type[BaseModel] | None:
    for candidate in _candidates(annotation):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None
