"""Odibi kernel: declarative data pipelines on a pluggy microkernel.

The public names most projects and plugins need are importable from here:
``hookimpl`` (mark hook implementations), ``transform`` (register Python steps),
``__version__`` and ``PLUGIN_API_VERSION`` (the plugin API this kernel provides; see
:mod:`odibi_core.plugins.api_version`). They are loaded lazily so ``odibi --help`` stays fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from odibi_core.plugins.api_version import PLUGIN_API_VERSION
    from odibi_core.plugins.hookspecs import hookimpl
    from odibi_core.transforms import transform

__all__ = ["PLUGIN_API_VERSION", "__version__", "hookimpl", "transform"]


def __getattr__(name: str) -> Any:
    if name == "hookimpl":
        from odibi_core.plugins.hookspecs import hookimpl

        return hookimpl
    if name == "PLUGIN_API_VERSION":
        from odibi_core.plugins.api_version import PLUGIN_API_VERSION

        return PLUGIN_API_VERSION
    if name == "transform":
        from odibi_core.transforms import transform

        return transform
    raise AttributeError(f"module 'odibi_core' has no attribute {name!r}")
