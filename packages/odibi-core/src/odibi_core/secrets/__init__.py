"""Builtin secret providers: ``env`` (the process environment) and ``dotenv`` (a ``.env`` file)."""
