"""The migration report: every change made and every construct left for a person, with file:line."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Note:
    """One line of the report.

    Attributes:
        where: ``file:line`` in the original project.
        what: What was found and what became of it.
        converted: ``False`` for a construct left for a person (``--check`` then exits 1).
    """

    where: str
    what: str
    converted: bool = True


@dataclass
class Report:
    """Notes collected while converting."""

    notes: list[Note] = field(default_factory=list)

    def changed(self, where: str, what: str) -> None:
        """Record a conversion."""
        self.notes.append(Note(where, what, True))

    def unconverted(self, where: str, what: str) -> None:
        """Record a construct that was not converted (and what to do about it)."""
        self.notes.append(Note(where, what, False))

    @property
    def unconverted_count(self) -> int:
        """How many constructs were left for a person."""
        return sum(1 for n in self.notes if not n.converted)

    def markdown(self, source: str) -> str:
        """``MIGRATION.md``."""
        todo = [n for n in self.notes if not n.converted]
        done = [n for n in self.notes if n.converted]
        lines = [
            f"# Migration of `{source}`",
            "",
            "Written by `odibi migrate`. Locations are in the original project.",
            "",
        ]
        lines += ["## Not converted (needs you)", ""]
        lines += [f"- `{n.where}`: {n.what}" for n in todo] or [
            "Nothing: every construct was converted."
        ]
        lines += ["", "## Changes", ""]
        lines += [f"- `{n.where}`: {n.what}" for n in done] or ["None."]
        return "\n".join(lines) + "\n"
