"""Every problem of a project, collected in one pass and reported sorted by file and line.

Loading a project does not stop at the first mistake it can step over: unknown keys, wrong types,
unresolved references, duplicate names, graph errors and plugin-section errors are collected as
:class:`Problem` records and raised together by :func:`raise_problems`, so ``odibi validate`` (and
every other command) shows them all at once. Only a file that cannot be parsed at all stops early.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, NoReturn

from odibi_core.config.locations import KeyPath, Location, LocationMap, format_path
from odibi_core.errors import ConfigError, ExitCode, OdibiError, PluginError

ERROR = "error"
WARNING = "warning"

_LEADING_LOCATION = re.compile(r"^(?P<file>[^\n:]+):(?P<line>\d+): ")


@dataclass(frozen=True)
class Problem:
    """One mistake in a project (or one warning), with where it is.

    Attributes:
        message: What is wrong, without the location (``unknown key 'raed'``).
        location: File and line, when known.
        path: Key path inside the project (``pipelines[0].nodes[1].read``), when known.
        severity: ``error`` or ``warning`` (warnings never fail a command).
        error: The error class this problem is reported as; decides the exit code.
        hint: One line saying what to do, when more specific than the error class's hint.
    """

    message: str
    location: Location | None = None
    path: KeyPath = ()
    severity: str = ERROR
    error: type[OdibiError] = field(default=ConfigError, compare=False)
    hint: str | None = field(default=None, compare=False)

    @property
    def text(self) -> str:
        """``file:line: key.path: message`` (parts left out when unknown)."""
        parts = [str(self.location)] if self.location else []
        if self.path:
            parts.append(format_path(self.path))
        parts.append(self.message)
        return ": ".join(parts)

    @property
    def exit_code(self) -> int:
        """The exit code of this problem's error class."""
        return int(self.error.exit_code)

    def as_dict(self) -> dict[str, Any]:
        """The JSON form used by ``odibi validate --json``."""
        return {
            "severity": self.severity,
            "file": self.location.file if self.location else None,
            "line": self.location.line if self.location else None,
            "key": format_path(self.path) if self.path else None,
            "message": self.message,
            "exit_code": self.exit_code,
        }


def located(locations: LocationMap, path: KeyPath, message: str, **kwargs: Any) -> Problem:
    """A problem at ``path``, located through ``locations`` (nearest known ancestor)."""
    return Problem(message, locations.find(path), tuple(path), **kwargs)


def from_error(exc: OdibiError) -> Problem:
    """A problem from an error raised elsewhere (a leading ``file:line:`` becomes its location)."""
    message = exc.message
    match = _LEADING_LOCATION.match(message)
    location = None
    if match:
        location = Location(match.group("file"), int(match.group("line")))
        message = message[match.end() :]
    return Problem(message, location, error=type(exc), hint=exc.hint or None)


def sort_problems(problems: Iterable[Problem], files: Sequence[str] = ()) -> list[Problem]:
    """Problems in file order (``files``: root first), then by line; unlocated ones last."""
    order = {name: i for i, name in enumerate(files)}

    def key(problem: Problem) -> tuple[int, str, int, str]:
        loc = problem.location
        if loc is None:
            return (len(order) + 1, "", 0, problem.text)
        return (order.get(loc.file, len(order)), loc.file, loc.line, problem.text)

    unique = list(dict.fromkeys(problems))
    return sorted(unique, key=key)


def problems_error(problems: Sequence[Problem], files: Sequence[str] = ()) -> OdibiError:
    """One error carrying every problem (attribute ``problems``), its message one line each.

    The error class is the problems' own class when they agree (a missing secret stays a
    :class:`~odibi_core.errors.SecretMissingError`); otherwise a configuration problem makes it a
    :class:`~odibi_core.errors.ConfigError` (exit 3), and only plugin problems a
    :class:`~odibi_core.errors.PluginError` (exit 4).
    """
    ordered = sort_problems(problems, files)
    classes = {p.error for p in ordered}
    if len(classes) == 1:
        cls = next(iter(classes))
    elif all(p.exit_code == ExitCode.PLUGIN_ERROR for p in ordered):
        cls = PluginError
    else:
        cls = ConfigError
    hints = {p.hint for p in ordered if p.hint}
    hint = next(iter(hints)) if len(hints) == 1 else None
    error = cls("\n".join(p.text for p in ordered), hint=hint)
    error.problems = ordered  # type: ignore[attr-defined]
    return error


def raise_problems(problems: Sequence[Problem], files: Sequence[str] = ()) -> None:
    """Raise :func:`problems_error` if any problem is an error; warnings alone never raise."""
    errors = [p for p in problems if p.severity == ERROR]
    if errors:
        raise problems_error(errors, files)


def fail(problems: Sequence[Problem], files: Sequence[str] = ()) -> NoReturn:
    """Raise :func:`problems_error` for ``problems`` (at least one)."""
    raise problems_error(problems, files)


def problems_of(exc: OdibiError) -> list[Problem]:
    """The problems an error carries (one, built from its message, if it carries none)."""
    carried = getattr(exc, "problems", None)
    return list(carried) if carried else [from_error(exc)]
