"""Builtin engine ``duckdb`` and the frame helpers every engine shares (``frame="pandas"`` steps).

The ``pandas`` engine lives in ``odibi-engine-pandas``.
"""
