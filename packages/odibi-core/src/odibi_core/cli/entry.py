"""The ``odibi`` console script: start the CLI with the garbage collector out of the way.

Starting a command builds a large, long-lived object graph (Typer, pydantic models, plugin
registrations) and the cyclic garbage collector would scan it again and again while it grows:
about 10% of a short run's CPU time. So the collector is paused while the CLI imports, and what
was imported is then frozen (``gc.freeze()``: moved to a permanent generation the collector no
longer scans) before collection resumes for the command itself.
"""

from __future__ import annotations

import gc


def main() -> None:
    """Import and run the CLI (:func:`odibi_core.cli.main.main`); exits with its code."""
    gc.disable()
    try:
        from odibi_core.cli.main import main as cli_main
    finally:
        gc.freeze()
        gc.enable()
    cli_main()


if __name__ == "__main__":  # pragma: no cover - ``python -m odibi_core.cli.entry``
    main()
