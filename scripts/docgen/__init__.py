"""Generators of the documentation site's reference pages (run on every docs build).

Every page written here is derived from the code (pydantic models, the Typer app, the hookspecs,
the exit-code enum) or from running it (the quickstart transcripts), so the site cannot drift from
what Odibi does. Outputs are gitignored; ``scripts/docs.sh build`` and the MkDocs hook
``scripts/docgen/mkdocs_hooks.py`` both call :func:`docgen.generate.generate_all`.
"""
