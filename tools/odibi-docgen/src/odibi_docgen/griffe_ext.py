"""Griffe extension: Sphinx roles and literal blocks in docstrings -> Markdown (see ``rst.py``).

Loaded by mkdocstrings-python (``extensions:`` in ``mkdocs.yml``). A role whose target does not
exist in the code is logged as a warning, which fails ``mkdocs build --strict``.
"""

from __future__ import annotations

import logging
from typing import Any

import griffe

from odibi_docgen.rst import to_markdown

logger = logging.getLogger("mkdocs.plugins.odibi_docs")


def _is_private(path: str) -> bool:
    return any(part.startswith("_") and not part.startswith("__") for part in path.split("."))


class RstDocstrings(griffe.Extension):
    """Rewrites every docstring once the package is loaded."""

    def on_package(self, *, pkg: griffe.Module, loader: griffe.GriffeLoader, **kwargs: Any) -> None:
        """The top-level module (griffe fires ``on_object`` only for its members)."""
        self._convert(pkg, loader)

    def on_object(self, *, obj: griffe.Object, loader: griffe.GriffeLoader, **kwargs: Any) -> None:
        """Every member of a loaded package."""
        self._convert(obj, loader)

    def _convert(self, obj: griffe.Object, loader: griffe.GriffeLoader) -> None:
        """Convert ``obj``'s docstring in place."""
        if obj.is_alias or obj.docstring is None or ":" not in obj.docstring.value:
            return

        def lookup(path: str) -> str | None:
            try:
                member = loader.modules_collection[path]
            except Exception:
                top = path.split(".")[0]
                if not top.startswith("odibi_") or top in loader.modules_collection:
                    return None
                try:  # another Odibi package documented on a later page: load it now
                    loader.load(top)
                    member = loader.modules_collection[path]
                except Exception:
                    return None
            try:
                return member.final_target.path if member.is_alias else member.path
            except Exception:
                return member.path

        def in_scope(head: str) -> str | None:
            scope: griffe.Object | None = obj
            while scope is not None:  # inherited members of enclosing classes first
                if scope.is_class and head in scope.all_members:
                    return scope.all_members[head].path
                scope = scope.parent
            try:
                return obj.resolve(head)
            except Exception:
                return None

        def resolve(target: str) -> str | None:
            found = lookup(target)
            if found is None:
                head, _, rest = target.partition(".")
                base = in_scope(head)
                if base is not None:
                    found = lookup(f"{base}.{rest}" if rest else base)
            if found is not None and _is_private(found):
                return ""
            return found

        def missing(role: str, target: str) -> None:
            logger.warning(
                "docstring of %s: :%s:`%s` refers to nothing in the code", obj.path, role, target
            )

        obj.docstring.value = to_markdown(obj.docstring.value, resolve, missing)
