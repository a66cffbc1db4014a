"""Odibi engine ``spark``: the same project on Apache Spark (pyspark is imported lazily)."""

from __future__ import annotations

__version__ = "0.1.0"
