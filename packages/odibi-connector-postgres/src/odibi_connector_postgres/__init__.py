"""odibi-connector-postgres: the ``postgres`` connection type for Odibi.

Reads stream a table or a query through binary ``COPY ... TO STDOUT`` as Arrow record batches;
writes ``COPY`` Arrow batches in, one transaction per write, with the modes ``overwrite``,
``append``, ``upsert`` and ``error``. It works with every Odibi engine through the Arrow
interchange.

This package is also the worked example of an Odibi plugin: the entry point
(:mod:`odibi_connector_postgres.plugin`) imports nothing heavy, the config model
(:mod:`odibi_connector_postgres.options`) validates the YAML, and psycopg is imported only when a
connection first talks to the server.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
