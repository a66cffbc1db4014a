"""Every variable a project references, a ``.env`` template of them, and whether each resolves.

Backs ``odibi secrets init`` and ``odibi secrets validate``. Nothing here ever returns or prints a
value: templates hold names and locations, checks hold a status and where the value came from.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from odibi_core.config.locations import format_path
from odibi_core.config.references import Reference
from odibi_core.redaction import MIN_SECRET_LENGTH
from odibi_core.redaction.patterns import is_sensitive_key
from odibi_core.redaction.shorten import first_line

if TYPE_CHECKING:
    from odibi_core.config.loader import ProjectSource
    from odibi_core.config.resolver import ReferenceResolver

DOTENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*$")
"""Names a ``.env`` file can set (what the dotenv provider parses)."""

FAILING_STATUSES = frozenset({"missing", "empty", "error"})
"""Check statuses that make ``odibi secrets validate`` fail."""


@dataclass
class Variable:
    """One referenced name with every place that uses it.

    Attributes:
        name: The variable (or secret) name.
        kinds: ``secret`` and/or ``env``.
        uses: Each reference to it.
    """

    name: str
    kinds: set[str] = field(default_factory=set)
    uses: list[Reference] = field(default_factory=list)

    def uses_of(self, kind: str) -> list[Reference]:
        """References of one kind."""
        return [u for u in self.uses if u.kind == kind]

    def optional(self, kind: str) -> bool:
        """Whether every ``kind`` reference has a default (``${env:X:-default}``)."""
        uses = self.uses_of(kind)
        return bool(uses) and all(u.has_default for u in uses)

    @property
    def dotenv_settable(self) -> bool:
        """Whether a ``.env`` line can set it."""
        return bool(DOTENV_NAME.match(self.name))


@dataclass
class Check:
    """The outcome of resolving one variable of one kind.

    Attributes:
        variable: What was checked.
        kind: ``secret`` or ``env``.
        status: ``ok``, ``default`` (unset, the project's default applies), ``short`` (resolves
            but too short to be masked in output), ``empty``, ``missing`` or ``error``.
        origin: Where the value came from (``env``, ``dotenv`` or a provider), if it resolved.
        detail: One line for humans (never a value).
    """

    variable: Variable
    kind: str
    status: str
    origin: str | None = None
    detail: str = ""

    @property
    def failed(self) -> bool:
        """Whether this check fails ``odibi secrets validate``."""
        return self.status in FAILING_STATUSES


def environment_of(ref: Reference) -> str | None:
    """The environment a reference belongs to (``None``: the base document)."""
    path = ref.path
    if len(path) >= 2 and path[0] == "environments":
        return str(path[1])
    return None


def collect_variables(refs: list[Reference]) -> list[Variable]:
    """Group references by name: secrets first, then environment variables, each by name."""
    by_name: dict[str, Variable] = {}
    for ref in refs:
        var = by_name.setdefault(ref.name, Variable(ref.name))
        var.kinds.add(ref.kind)
        var.uses.append(ref)
    return sorted(by_name.values(), key=lambda v: ("secret" not in v.kinds, v.name))


def describe_use(ref: Reference, project_dir: Path) -> str:
    """``file:line  key.path`` with the file relative to the project folder."""
    where = format_path(ref.path)
    if ref.file:
        try:
            rel = os.path.relpath(Path(ref.file).resolve(), project_dir.resolve())
        except ValueError:  # another drive (Windows)
            rel = ref.file
        where = f"{rel}:{ref.line}  {where}"
    env = environment_of(ref)
    return where + (f"  (environment {env})" if env else "")


def render_template(source: ProjectSource, variables: list[Variable]) -> str:
    """A ``.env.example`` listing every variable with where it is used; never a value."""
    project = str(source.data.get("project", "")) or source.path.stem
    lines = [
        f"# Variables referenced by project {project!r} ({source.path.name}), "
        "written by `odibi secrets init`.",
        f"# Copy this file to .env beside {source.path.name} and fill in the values there; "
        "keep .env",
        "# out of version control. A variable set in the environment wins over .env.",
        "# `odibi secrets validate` checks that every one resolves.",
    ]
    if not variables:
        lines += ["", "# (the project references no variables)"]
    for var in variables:
        kinds = ", ".join(k for k in ("secret", "env") if k in var.kinds)
        notes = []
        if "secret" not in var.kinds and var.optional("env"):
            notes.append("optional: the project gives a default, used when unset or empty")
        if not var.dotenv_settable:
            notes.append("not a valid .env name: provide it through a secret provider")
        lines += ["", f"# {var.name}: {kinds}" + (f" ({'; '.join(notes)})" if notes else "")]
        lines += [f"#   {describe_use(ref, source.project_dir)}" for ref in var.uses]
        # a variable with a default stays commented: copied as is, the default applies
        commented = not var.dotenv_settable or ("secret" not in var.kinds and var.optional("env"))
        lines.append(f"# {var.name}=" if commented else f"{var.name}=")
    return "\n".join(lines) + "\n"


def check_variables(variables: list[Variable], resolver: ReferenceResolver) -> list[Check]:
    """Resolve each variable of each kind; register what resolves for redaction."""
    checks: list[Check] = []
    for var in variables:
        for kind in ("secret", "env"):
            if kind in var.kinds:
                checks.append(_check_one(var, kind, resolver))
    return checks


def _check_one(var: Variable, kind: str, resolver: ReferenceResolver) -> Check:
    try:
        value, origin = resolver.resolve(kind, var.name)
    except Exception as exc:  # a provider whose store is unusable
        message = first_line(f"{type(exc).__name__}: {exc}")
        return Check(var, kind, "error", detail=f"provider error: {message}")
    if kind == "env" and var.optional("env") and not value:  # POSIX ${X:-d}: empty means unset
        detail = "not set" if value is None else "set, but empty"
        return Check(var, kind, "default", origin, f"{detail}; the project's default applies")
    if value is None:
        return Check(var, kind, "missing", detail="not set")
    resolver.register(kind, var.name, value)
    if kind == "secret" and not value.strip():
        return Check(var, kind, "empty", origin, "set, but empty")
    secret_like = kind == "secret" or is_sensitive_key(var.name)
    if secret_like and value.strip() and len(value.strip()) < MIN_SECRET_LENGTH:
        return Check(
            var,
            kind,
            "short",
            origin,
            f"resolves, but is shorter than {MIN_SECRET_LENGTH} characters: it cannot be "
            "masked in output",
        )
    return Check(var, kind, "ok", origin, f"from {origin}")
