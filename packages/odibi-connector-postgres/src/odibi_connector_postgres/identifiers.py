"""Table names from the project file, as data: parsed here, quoted by psycopg's SQL composition.

A ``table:`` value is ``name`` or ``schema.name``. Each part is taken literally (no case folding,
any character allowed) unless it is written in double quotes, which lets a name contain a dot:
``"my.schema"."Daily Orders"``. A name like ``x; drop table y`` is simply a table called that.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from odibi_core.plugin import ConfigError

if TYPE_CHECKING:
    from psycopg import sql


@dataclass(frozen=True)
class TableName:
    """A table, optionally qualified by its schema.

    Attributes:
        schema: The schema, or ``None`` for the connection's ``search_path``.
        name: The table's name.
    """

    schema: str | None
    name: str

    @classmethod
    def parse(cls, text: str) -> TableName:
        """Split ``schema.name`` (double-quoted parts may contain dots and ``""`` escapes)."""
        parts = _split(text)
        if len(parts) == 1:
            return cls(None, parts[0])
        if len(parts) == 2:
            return cls(parts[0], parts[1])
        raise ConfigError(
            f"table {text!r} has {len(parts)} dot-separated parts; write name or schema.name",
            hint='Double-quote a part that contains a dot: "my.schema".orders',
        )

    def identifier(self) -> sql.Identifier:
        """The quoted identifier for SQL composition (``"schema"."name"``)."""
        from psycopg import sql

        return sql.Identifier(self.schema, self.name) if self.schema else sql.Identifier(self.name)

    def regclass_text(self) -> str:
        """The name as ``to_regclass()`` expects it (quoted, so it is never folded or parsed)."""
        quoted = _quote(self.name)
        return f"{_quote(self.schema)}.{quoted}" if self.schema else quoted

    def __str__(self) -> str:
        return f"{self.schema}.{self.name}" if self.schema else self.name


def _quote(part: str) -> str:
    return '"' + part.replace('"', '""') + '"'


def _split(text: str) -> list[str]:
    if not text or not text.strip():
        raise ConfigError("table name is empty")
    parts: list[str] = []
    i, n = 0, len(text)
    while i <= n:
        if i < n and text[i] == '"':
            end, value = _quoted(text, i)
            parts.append(value)
            i = end
            if i < n and text[i] != ".":
                raise ConfigError(
                    f"table {text!r}: expected a dot after the quoted part at position {i}"
                )
        else:
            end = text.find(".", i)
            end = n if end == -1 else end
            value = text[i:end]
            if not value:
                raise ConfigError(f"table {text!r} has an empty part")
            parts.append(value)
            i = end
        i += 1  # skip the dot (or step past the end)
    return parts


def _quoted(text: str, start: int) -> tuple[int, str]:
    """Parse a double-quoted part starting at ``start``; return (index after it, value)."""
    i, chars = start + 1, []
    while i < len(text):
        if text[i] == '"':
            if i + 1 < len(text) and text[i + 1] == '"':
                chars.append('"')
                i += 2
                continue
            if not chars:
                raise ConfigError(f"table {text!r} has an empty quoted part")
            return i + 1, "".join(chars)
        chars.append(text[i])
        i += 1
    raise ConfigError(f"table {text!r} has an unterminated double quote")
