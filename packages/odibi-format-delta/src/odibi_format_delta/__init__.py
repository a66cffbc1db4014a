"""Odibi format ``delta``: Delta Lake tables read and written with delta-rs on every engine."""

from __future__ import annotations

__version__ = "0.1.0"
