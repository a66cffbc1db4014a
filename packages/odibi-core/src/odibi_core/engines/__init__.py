"""Builtin engines: ``duckdb`` (default) and ``pandas``."""
