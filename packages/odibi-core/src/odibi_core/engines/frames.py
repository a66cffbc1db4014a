"""Helpers every engine shares: calling Python steps and checking write targets."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from odibi_core.errors import ExitCode, OdibiError

if TYPE_CHECKING:
    from odibi_core.contracts.connection import FileConnection
    from odibi_core.contracts.requests import WriteRequest


class WriteTargetExists(OdibiError):
    """Mode ``error`` and the target already holds data: nothing was written."""

    exit_code = ExitCode.RUN_FAILED


def call_python_step(
    func: Callable[..., Any],
    frame: Any,
    params: Mapping[str, Any],
    inputs: Mapping[str, Any] | None,
    convert: Callable[[Any], Any],
) -> Any:
    """Call ``func(converted_frame, **params)``; pass ``inputs=`` (converted) if it accepts it."""
    kwargs = dict(params)
    try:
        signature = inspect.signature(func)
        accepts_inputs = "inputs" in signature.parameters or any(
            p.kind is inspect.Parameter.VAR_KEYWORD for p in signature.parameters.values()
        )
    except (TypeError, ValueError):
        accepts_inputs = False
    if accepts_inputs and inputs is not None and "inputs" not in kwargs:
        kwargs["inputs"] = {name: convert(f) for name, f in inputs.items() if f is not None}
    argument = convert(frame) if frame is not None else None
    return func(argument, **kwargs)


def check_write_target(connection: FileConnection, request: WriteRequest) -> None:
    """Enforce mode ``error`` and reject modes files cannot do (``upsert``)."""
    path = request.path or ""
    if request.mode in ("upsert", "merge"):
        raise WriteTargetExists(
            f"mode {request.mode} needs a table connection or format; "
            f"{connection.name}:{path} is a file"
        )
    if request.mode == "error" and connection.exists(path):
        raise WriteTargetExists(
            f"{connection.name}:{path} already exists and write mode is 'error'",
            hint="Use mode overwrite or append, or remove the file.",
        )
