"""``${env:NAME}``, ``${NAME}`` and ``${secret:NAME}`` references, resolved after YAML parsing.

Because resolution works on already-parsed scalar strings, a value containing ``: ``, ``#``,
quotes or newlines is carried as data and can never change the document's structure. ``$${`` is
a literal ``${``. ``${env:NAME:-default}`` supplies a default used when the variable is unset *or
empty*, as in POSIX shells; secrets take no default. The original Odibi's ``${date:...}`` and
``${vars.x}`` expressions are refused with a pointer to ``odibi migrate``, never misread as
variables.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from odibi_core.config.locations import KeyPath, LocationMap, format_path
from odibi_core.config.problems import Problem, located

REFERENCE = re.compile(
    r"\$\$\{|\$\{(?!date:|vars\.)(?:(?P<kind>env|secret):)?(?P<name>[A-Za-z_][A-Za-z0-9_.\-/]*)"
    r"(?::-(?P<default>[^}]*))?\}"
)
"""One reference; group ``kind`` is ``env``, ``secret`` or ``None`` (plain ``${NAME}`` = env)."""

LEGACY_EXPRESSION = re.compile(r"\$\$\{|\$\{(?:date:[^}]*|vars\.[^}]*)\}")
"""The original Odibi's date expressions (``${date:-7d}``) and variables (``${vars.x}``)."""


def with_default(value: str | None, default: str | None) -> str | None:
    """POSIX ``${X:-default}``: the default when the value is unset or empty."""
    if default is not None and not value:
        return default
    return value


@dataclass(frozen=True)
class Reference:
    """A reference found in a project, with where it is used."""

    kind: str
    name: str
    path: KeyPath
    file: str | None
    line: int | None
    has_default: bool = False

    @property
    def where(self) -> str:
        """``file:line key.path`` for messages and templates."""
        prefix = f"{self.file}:{self.line} " if self.file else ""
        return f"{prefix}{format_path(self.path)}"


def walk_strings(data: Any, path: KeyPath = ()) -> Iterator[tuple[KeyPath, str]]:
    """Yield ``(path, string)`` for every string scalar in ``data``."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield from walk_strings(value, (*path, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from walk_strings(value, (*path, i))
    elif isinstance(data, str):
        yield path, data


def find_references(data: Any, locations: LocationMap) -> list[Reference]:
    """Every reference in ``data`` (comments are not data, so never included)."""
    found: list[Reference] = []
    for path, text in walk_strings(data):
        for match in REFERENCE.finditer(text):
            if match.group(0) == "$${":
                continue
            loc = locations.find(path)
            found.append(
                Reference(
                    kind=match.group("kind") or "env",
                    name=match.group("name"),
                    path=path,
                    file=loc.file if loc else None,
                    line=loc.line if loc else None,
                    has_default=match.group("default") is not None,
                )
            )
    return found


Lookup = Callable[[str, str], "str | None"]
"""``lookup(kind, name) -> value or None``."""


def resolve_references(
    data: Any,
    lookup: Lookup,
    on_missing: Callable[[str, str, KeyPath], None],
    on_resolved: Callable[[str, str, str, KeyPath], None],
    path: KeyPath = (),
) -> Any:
    """Return a copy of ``data`` with every reference replaced.

    ``on_missing(kind, name, path)`` is called for each unresolved reference (its text becomes
    empty); ``on_resolved(kind, name, value, path)`` for each resolved one (to register secrets).
    """
    if isinstance(data, dict):
        return {
            k: resolve_references(v, lookup, on_missing, on_resolved, (*path, k))
            for k, v in data.items()
        }
    if isinstance(data, list):
        return [
            resolve_references(v, lookup, on_missing, on_resolved, (*path, i))
            for i, v in enumerate(data)
        ]
    if not isinstance(data, str) or "${" not in data:
        return data

    def replace(match: re.Match[str]) -> str:
        if match.group(0) == "$${":
            return "${"
        kind = match.group("kind") or "env"
        name = match.group("name")
        value = lookup(kind, name)
        if kind == "env":
            value = with_default(value, match.group("default"))
        if value is None:
            on_missing(kind, name, path)
            return ""
        on_resolved(kind, name, value, path)
        return value

    return REFERENCE.sub(replace, data)


def reference_problems(data: Any, locations: LocationMap) -> list[Problem]:
    """References that can never work: original-Odibi expressions and secrets with a default."""
    problems: list[Problem] = []
    for path, text in walk_strings(data):
        if "${" not in text:
            continue
        for match in LEGACY_EXPRESSION.finditer(text):
            if match.group(0) != "$${":
                problems.append(
                    located(
                        locations,
                        path,
                        f"{match.group(0)} is an original-Odibi expression, which this "
                        "version does "
                        "not evaluate (it is not an environment variable)",
                        hint="`odibi migrate` converts an original Odibi project, expressions too.",
                    )
                )
        for match in REFERENCE.finditer(text):
            if match.group("kind") == "secret" and match.group("default") is not None:
                problems.append(
                    located(
                        locations,
                        path,
                        f"${{secret:{match.group('name')}:-...}}: a secret takes no default "
                        "(only ${env:NAME:-default} does)",
                    )
                )
    return problems
