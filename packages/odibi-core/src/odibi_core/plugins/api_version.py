"""The plugin API version: which plugins this kernel can load.

The kernel provides plugin API :data:`PLUGIN_API_VERSION` (``MAJOR.MINOR``). A plugin says which
API it was built for with a module attribute beside its hook implementations (in the object its
entry point names)::

    ODIBI_PLUGIN_API = "1.0"

It is checked right after the entry point is imported, before any hook is called:

* same major, plugin minor <= kernel minor: compatible (a minor release only adds);
* another major, or a newer minor than the kernel provides: the plugin is ``failed`` with a
  message saying what to upgrade or downgrade, and everything else runs;
* nothing declared: taken as built for API 1 (the first API); a plugin that declares nothing
  is refused once the kernel provides API 2.

The promise behind the numbers is on the documentation's "Stability" page.
"""

from __future__ import annotations

import re

PLUGIN_API_VERSION = "1.0"
"""The plugin API this odibi-core provides (``MAJOR.MINOR``)."""

PLUGIN_API_ATTRIBUTE = "ODIBI_PLUGIN_API"
"""Name of the attribute a plugin declares its API version with."""

UNDECLARED_MAJOR = 1
"""The API major a plugin that declares nothing is taken to be built for."""

_VERSION = re.compile(r"^\s*(\d+)(?:\.(\d+))?\s*$")


def parse_api_version(value: object) -> tuple[int, int] | None:
    """``(major, minor)`` of ``"1"``, ``"1.2"`` or ``1``; ``None`` if it is not such a version."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return (value, 0) if value >= 0 else None
    if not isinstance(value, str):
        return None
    match = _VERSION.match(value)
    if match is None:
        return None
    return int(match.group(1)), int(match.group(2) or 0)


def provided() -> tuple[int, int]:
    """The kernel's API version as ``(major, minor)``."""
    parsed = parse_api_version(PLUGIN_API_VERSION)
    assert parsed is not None
    return parsed


def declared_api(plugin: object) -> object:
    """What ``plugin`` (a module, class or instance) declares as :data:`PLUGIN_API_ATTRIBUTE`."""
    return getattr(plugin, PLUGIN_API_ATTRIBUTE, None)


def api_problem(declared: object, *, plugin: str, distribution: str, version: str) -> str | None:
    """Why a plugin that declares ``declared`` cannot load here, or ``None`` if it can.

    Args:
        declared: The plugin's :data:`PLUGIN_API_ATTRIBUTE` value (``None``: not declared).
        plugin: Entry-point name, for the message.
        distribution: Its distribution, for the pip command in the message.
        version: Its distribution version.
    """
    from odibi_core import __version__

    if declared is None:
        declared = str(UNDECLARED_MAJOR)
    parsed = parse_api_version(declared)
    if parsed is None:
        return (f"plugin {plugin} declares {PLUGIN_API_ATTRIBUTE} = {declared!r}, which is not a "
                f"plugin API version like {PLUGIN_API_VERSION!r}")
    major, minor = parsed
    kernel_major, kernel_minor = provided()
    if major == kernel_major and minor <= kernel_minor:
        return None
    built = f"plugin {plugin} was built for plugin API {major}.{minor}"
    here = f"this odibi-core {__version__} provides plugin API {PLUGIN_API_VERSION}"
    if (major, minor) > (kernel_major, kernel_minor):
        fix = (f"upgrade odibi-core, or install an older {distribution} built for API "
               f"{kernel_major} "
               f"(pip install '{distribution}<{version}')")
    else:
        fix = f"upgrade {distribution} (pip install -U {distribution})"
    return f"{built}, {here}: {fix}"


__all__ = [
    "PLUGIN_API_ATTRIBUTE",
    "PLUGIN_API_VERSION",
    "api_problem",
    "declared_api",
    "parse_api_version",
    "provided",
]
