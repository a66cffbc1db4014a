"""The exit-code table and the error classes, from :mod:`odibi_core.errors`."""

from __future__ import annotations

import ast
import importlib
import inspect
import itertools
import pkgutil
from pathlib import Path

from odibi_docgen.common import GENERATED_NOTE, REFERENCE, code, table, write_if_changed

PAGE = REFERENCE / "exit-codes.md"


def member_docs(cls: type) -> dict[str, str]:
    """Attribute docstrings (the string right after ``NAME = value``) of a class, by name."""
    tree = ast.parse(inspect.getsource(cls))
    body = tree.body[0].body  # type: ignore[attr-defined]
    docs: dict[str, str] = {}
    for node, nxt in itertools.pairwise(body):
        if (
            isinstance(node, ast.Assign)
            and isinstance(nxt, ast.Expr)
            and isinstance(nxt.value, ast.Constant)
            and isinstance(nxt.value.value, str)
        ):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    docs[target.id] = " ".join(nxt.value.value.split())
    return docs


def error_classes() -> list[type]:
    """Every ``OdibiError`` subclass defined in ``odibi_core`` (modules imported to find them)."""
    import odibi_core
    from odibi_core.errors import OdibiError

    for info in pkgutil.walk_packages(odibi_core.__path__, "odibi_core."):
        if ".testing" in info.name or info.name.endswith("__main__"):
            continue
        try:
            importlib.import_module(info.name)
        except ModuleNotFoundError as exc:  # an optional dependency (an extra) is not installed
            if (exc.name or "").startswith("odibi"):
                raise
    found: list[type] = []
    stack = [OdibiError]
    while stack:
        cls = stack.pop()
        if cls.__module__.startswith("odibi_core"):
            found.append(cls)
        stack.extend(cls.__subclasses__())
    return sorted(found, key=lambda c: (int(c.exit_code), c.__module__, c.__name__))


def render() -> str:
    """The whole page."""
    from odibi_core.errors import ExitCode

    docs = member_docs(ExitCode)
    out = [
        GENERATED_NOTE,
        "# Exit codes\n",
        "`odibi` exits with one of these codes (generated from `odibi_core.errors.ExitCode`). "
        "Scripts and schedulers may branch on them; they are stable.\n",
        table(
            ("Code", "Name", "Meaning"),
            [(code(int(m)), code(m.name), docs.get(m.name, "")) for m in ExitCode],
        ),
    ]
    out.append("\n## Errors and their codes\n")
    out.append(
        "Each error Odibi raises on purpose is an `OdibiError` subclass with an exit code and a "
        "one-line hint, printed as `error: ...` and `hint: ...` on stderr (a traceback only with "
        "`--debug`). See [Troubleshooting](../troubleshooting.md) for the messages.\n"
    )
    rows = []
    for cls in error_classes():
        doc = " ".join((inspect.getdoc(cls) or "").split("\n\n")[0].split())
        rows.append(
            (
                code(f"{cls.__module__}.{cls.__name__}"),
                code(int(cls.exit_code)),
                doc,
                cls.default_hint or "",
            )
        )
    out.append(table(("Error", "Exit code", "Raised when", "Default hint"), rows))
    return "\n".join(out)


def generate() -> Path:
    """Write the page (only if it changed)."""
    write_if_changed(PAGE, render())
    return PAGE
