"""``python -m odibi_core``: the ``odibi`` command, for when the console script is not on PATH."""

from odibi_core.cli.entry import main

main()
