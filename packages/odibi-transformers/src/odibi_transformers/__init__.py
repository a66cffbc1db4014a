"""Odibi's built-in transformer library.

Every transformer is a typed recipe that renders one SQL query with sqlglot (identifiers quoted,
user expressions parsed, never pasted), so the ``duckdb``, ``pandas`` and ``spark`` engines give
the same rows. They are registered through the ``odibi_transformers`` hook, exactly as a
third-party plugin would register its own, and used as steps::

    transform:
      steps:
        - transformer: deduplicate
          params: {keys: [id], order_by: "updated_at DESC"}
"""

from __future__ import annotations

__version__ = "0.1.0"
