"""Create throwaway plugin distributions on disk, discoverable through entry points.

Tests of plugin loading need real distributions (a ``*.dist-info`` with ``entry_points.txt``) so
that discovery, the allow/deny switches and error reporting run exactly as with ``pip install``.
:func:`make_distribution` writes one into a folder; put that folder on ``sys.path`` (in-process,
see the ``plugin_distributions`` fixture) or on ``PYTHONPATH`` (subprocess).
"""

from __future__ import annotations

import textwrap
from pathlib import Path

from odibi_core.plugins.hookspecs import ENTRY_POINT_GROUP


def make_distribution(
    root: Path,
    dist: str,
    module: str,
    source: str,
    *,
    version: str = "1.0.0",
    entry_name: str | None = None,
) -> Path:
    """Write module ``module`` (with ``source``) and a dist-info for ``dist`` under ``root``.

    Args:
        root: Folder that will be put on ``sys.path``.
        dist: Distribution name (``odibi-example-plugin``).
        module: Importable module name holding the hook implementations.
        source: Python source of the module (dedented automatically).
        version: Distribution version.
        entry_name: Entry-point name (default: ``module``).

    Returns:
        The module file's path.
    """
    root.mkdir(parents=True, exist_ok=True)
    module_file = root / f"{module}.py"
    module_file.write_text(textwrap.dedent(source))
    info = root / f"{dist.replace('-', '_')}-{version}.dist-info"
    info.mkdir(exist_ok=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\n")
    (info / "entry_points.txt").write_text(
        f"[{ENTRY_POINT_GROUP}]\n{entry_name or module} = {module}\n"
    )
    (info / "top_level.txt").write_text(f"{module}\n")
    return module_file
