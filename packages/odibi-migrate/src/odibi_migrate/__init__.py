"""``odibi migrate``: convert original Odibi (2.x/3.x) projects, listing every change."""

from __future__ import annotations

__version__ = "0.1.0"
