"""Generators of the documentation site's reference pages (run on every docs build).

Every page written here is derived from the code (pydantic models, the Typer app, the hookspecs,
the exit-code enum) or from running it (the quickstart transcripts), so the site cannot drift from
what Odibi does. Outputs are gitignored. ``scripts/docs.sh build`` runs ``python -m odibi_docgen``
and the MkDocs plugin ``odibi-docgen`` (:mod:`odibi_docgen.mkdocs_plugin`) runs the same
:func:`odibi_docgen.generate.generate_all` for ``mkdocs serve`` and ``mike deploy``.

This is an internal development tool of the Odibi repository (``tools/odibi-docgen``), installed
editable by ``scripts/setup.sh`` and never published.
"""
