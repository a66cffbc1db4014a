"""Who runs this process: the one user lookup behind state holders, run records and reports."""

from __future__ import annotations


def current_user() -> str:
    """The login name; the numeric uid when the name cannot be looked up; else ``"unknown"``."""
    import getpass
    import os

    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return str(os.getuid()) if hasattr(os, "getuid") else "unknown"
