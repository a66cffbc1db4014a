"""Builtin connections."""
