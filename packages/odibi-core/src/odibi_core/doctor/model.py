"""What ``odibi doctor`` found: one line per thing checked, grouped by section."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from odibi_core.plugins.types import DoctorCheck

OK = "ok"
"""Checked and fine."""
INFO = "info"
"""Worth knowing, not a problem (a plugin blocked on purpose, no project given)."""
WARN = "warn"
"""Possibly a problem (a lock held right now); does not change the exit code."""
FAIL = "fail"
"""A problem: ``odibi doctor`` exits with ``ExitCode.CHECKS_FAILED``."""

LEVELS = (OK, INFO, WARN, FAIL)


@dataclass
class DoctorLine:
    """One check.

    Attributes:
        section: Heading (``environment``, ``plugins``, ``secrets``, ``connections``, ...).
        name: What was checked.
        status: :data:`OK`, :data:`INFO`, :data:`WARN` or :data:`FAIL`.
        detail: Human-readable result, free of secret values.
        data: Machine-readable details for ``--json``.
    """

    section: str
    name: str
    status: str
    detail: str = ""
    data: dict[str, Any] = field(default_factory=dict)

    def as_check(self) -> DoctorCheck:
        """The same line as the record ``odibi_doctor_checks`` returns."""
        from odibi_core.plugins.types import DoctorCheck

        return DoctorCheck(
            self.section, self.name, self.status != FAIL, self.detail, self.data, self.status
        )

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly form."""
        return {
            "section": self.section,
            "name": self.name,
            "status": self.status,
            "detail": self.detail,
            "data": self.data,
        }


@dataclass
class DoctorReport:
    """Every line ``odibi doctor`` produced, in order."""

    lines: list[DoctorLine] = field(default_factory=list)

    def add(
        self,
        section: str,
        name: str,
        status: str,
        detail: str = "",
        data: dict[str, Any] | None = None,
    ) -> DoctorLine:
        """Append a line and return it."""
        if status not in LEVELS:
            raise ValueError(f"unknown doctor status {status!r}")
        line = DoctorLine(section, name, status, detail, dict(data or {}))
        self.lines.append(line)
        return line

    @property
    def problems(self) -> list[DoctorLine]:
        """The failed lines."""
        return [line for line in self.lines if line.status == FAIL]

    @property
    def ok(self) -> bool:
        """``True`` if nothing failed."""
        return not self.problems

    def sections(self) -> dict[str, list[DoctorLine]]:
        """Lines grouped by section, sections in the order they first appear."""
        grouped: dict[str, list[DoctorLine]] = {}
        for line in self.lines:
            grouped.setdefault(line.section, []).append(line)
        return grouped

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly form (for ``odibi doctor --json``)."""
        return {
            "ok": self.ok,
            "problems": len(self.problems),
            "checks": [line.as_dict() for line in self.lines],
        }
