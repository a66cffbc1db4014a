"""The ``odibi`` console script: start the CLI with the garbage collector out of the way.

The cyclic collector is paused while the CLI imports and starts (see
:mod:`odibi_core.cli.collector`): for ``odibi run`` until the project is loaded and the run
begins, for every other command until its own code starts.
"""

from __future__ import annotations


def main() -> None:
    """Import and run the CLI (:func:`odibi_core.cli.main.main`); exits with its code."""
    from odibi_core.cli import collector

    collector.pause()
    from odibi_core.cli.main import main as cli_main

    cli_main()


if __name__ == "__main__":  # pragma: no cover - ``python -m odibi_core.cli.entry``
    main()
