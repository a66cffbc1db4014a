"""Odibi engine ``pandas``: frames are pandas DataFrames, SQL steps run through DuckDB.

The entry point is :mod:`odibi_engine_pandas.plugin`; the engine itself is
:class:`odibi_engine_pandas.engine.PandasEngine` (imported only when a project uses it).
"""

from __future__ import annotations

__version__ = "0.1.0"
