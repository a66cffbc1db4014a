"""The ``odibi`` command line (Typer), built by a factory so plugins can add commands."""
