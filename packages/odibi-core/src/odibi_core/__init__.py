"""Odibi kernel: declarative data pipelines on a pluggy microkernel.

The public names most projects and plugins need are importable from here:
``hookimpl`` (mark hook implementations), ``transform`` (register Python steps) and
``__version__``. They are loaded lazily so ``odibi --help`` stays fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from odibi_core.plugins.hookspecs import hookimpl
    from odibi_core.transforms import transform

__all__ = ["__version__", "hookimpl", "transform"]


def __getattr__(name: str) -> Any:
    if name == "hookimpl":
        from odibi_core.plugins.hookspecs import hookimpl

        return hookimpl
    if name == "transform":
        from odibi_core.transforms import transform

        return transform
    raise AttributeError(f"module 'odibi_core' has no attribute {name!r}")
