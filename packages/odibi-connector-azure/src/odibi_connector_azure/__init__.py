"""Odibi connection types ``azure_blob`` and ``azure_adls``: data files in Azure Storage."""

from __future__ import annotations

__version__ = "0.1.0"
