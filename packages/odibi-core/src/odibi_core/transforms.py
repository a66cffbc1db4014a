"""Python transform steps: the ``@transform`` decorator and discovery of a project's functions.

A project puts functions in ``transforms.py`` beside its YAML (or a ``transforms/`` package)::

    from odibi_core import transform

    @transform(frame="pandas")
    def add_margin(df, rate: float):
        df["margin"] = df["amount"] * rate
        return df

and uses them as ``- function: add_margin`` with ``params: {rate: 0.2}``. ``frame`` says what the
function receives on every engine: ``"pandas"``, ``"arrow"`` (a ``pyarrow.Table``) or ``"native"``
(the engine's own frame: a DuckDB relation, a pandas or Spark DataFrame).
"""

from __future__ import annotations

import importlib.util
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar, overload

from odibi_core.errors import ConfigError
from odibi_core.plugins.types import TransformSpec

FRAME_KINDS = ("native", "pandas", "arrow")
F = TypeVar("F", bound=Callable[..., Any])

_collecting = threading.local()


@overload
def transform(func: F) -> F: ...
@overload
def transform(*, name: str | None = None, frame: str = "native") -> Callable[[F], F]: ...


def transform(func: Any = None, *, name: str | None = None, frame: str = "native") -> Any:
    """Register a function as a Python step (usable as ``@transform`` or ``@transform(...)``)."""
    if frame not in FRAME_KINDS:
        raise ValueError(f"frame must be one of {FRAME_KINDS}, not {frame!r}")

    def decorate(f: F) -> F:
        doc = (f.__doc__ or "").strip().splitlines()
        spec = TransformSpec(name or f.__name__, f, frame, doc[0] if doc else "")
        f.spec = spec  # type: ignore[attr-defined]
        sink = getattr(_collecting, "sink", None)
        if sink is not None:
            sink.append(spec)
        return f

    return decorate(func) if func is not None else decorate


def load_project_transforms(project_dir: Path) -> dict[str, TransformSpec]:
    """Import ``transforms.py`` (or ``transforms/``) beside the project; return its steps."""
    candidates = [project_dir / "transforms.py", project_dir / "transforms" / "__init__.py"]
    path = next((c for c in candidates if c.exists()), None)
    if path is None:
        return {}
    module_name = f"odibi_project_transforms_{abs(hash(str(path.resolve())))}"
    found: list[TransformSpec] = []
    _collecting.sink = found
    try:
        spec = importlib.util.spec_from_file_location(module_name, path)
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[module_name] = module
        spec.loader.exec_module(module)
    except (Exception, SystemExit) as exc:  # the project's own code: never an internal error
        where = f"{path}:{_failing_line(exc, path)}"
        raise ConfigError(
            f"{where}: importing project transforms failed: {type(exc).__name__}: {exc}"
        ) from exc
    finally:
        _collecting.sink = None
    return {s.name: s for s in found}


def _failing_line(exc: BaseException, path: Path) -> int:
    """The line of ``path`` where importing it failed (1 when it cannot tell)."""
    if isinstance(exc, SyntaxError) and exc.lineno and Path(exc.filename or "") == path:
        return exc.lineno
    line = 1
    tb = exc.__traceback__
    while tb is not None:
        if Path(tb.tb_frame.f_code.co_filename) == path:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line
